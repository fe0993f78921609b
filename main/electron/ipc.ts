import { err, IPC_EVENT_CHANNEL, ipcChannel, methodNames } from '#contract';
import type { Workstation } from '../workstation';
import { isAppUrl } from './app-protocol';
import type { ShellElectron, ShellIpcEvent, ShellWindow } from './electron-api';

/**
 * Whether an IPC call comes from our window's page: the sender must be our window's webContents
 * and the sending frame must be on app://workstation (not a page it was somehow navigated to, not
 * another webContents such as a devtools or a future helper window).
 */
export function isTrustedSender(event: ShellIpcEvent, window: ShellWindow | null): boolean {
  if (!window || window.isDestroyed()) return false;
  if (event.sender !== window.webContents) return false;
  const frame = event.senderFrame;
  return frame !== null && isAppUrl(frame.url);
}

/**
 * One `ipcMain.handle` per contract method (`api:<ns>.<method>`). The sender is checked before
 * anything else; then `workstation.dispatch` validates the input and runs the service.
 * Returns a function removing the handlers.
 */
export function registerIpc(ipcMain: ShellElectron['ipcMain'], workstation: Workstation, window: () => ShellWindow | null): () => void {
  const channels: string[] = [];
  for (const method of methodNames()) {
    const channel = ipcChannel(method);
    ipcMain.handle(channel, async (event, input) => {
      if (!isTrustedSender(event, window())) {
        return err('FORBIDDEN', `the call ${method} did not come from the workstation's window`);
      }
      return workstation.dispatch(method, input);
    });
    channels.push(channel);
  }
  return () => channels.forEach((c) => ipcMain.removeHandler(c));
}

/** Forwards the workstation's events to the window (only while it exists). */
export function forwardEvents(workstation: Workstation, window: () => ShellWindow | null): () => void {
  return workstation.onEvent((name, payload) => {
    const w = window();
    if (w && !w.isDestroyed()) w.webContents.send(IPC_EVENT_CHANNEL, name, payload);
  });
}
