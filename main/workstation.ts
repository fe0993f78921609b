import type { EventName, EventPayload } from '#contract';
import type { ExportSink } from './exports/export-sink';
import type { Dispatch } from './router';

/**
 * The services of the workstation, independent of which host runs them. The Electron shell
 * (main/electron) wires `dispatch` to ipcMain and `onEvent` to webContents.send; the browser host
 * (main/host) wires them to its WebSocket. Services never know which.
 */
export interface Workstation {
  dispatch: Dispatch;
  onEvent(listener: (name: EventName, payload: EventPayload<EventName>) => void): () => void;
  /** The host's way to hand out exports: its dialogs (Electron) or downloads (browser host). */
  useExportSink(sink: ExportSink): void;
  /** The host's window shows the login screen: start what was held back for it (prestartWorkers 'when-shown'). */
  shown?(): void;
  close(): Promise<void>;
}
