import { createApiClient, createEventSource, type WorkstationBridge } from '#contract';
import { IPC_EVENT_CHANNEL, ipcChannel } from '#contract';

/** The part of ipcRenderer the bridge uses; never handed to the page itself. */
export interface PreloadIpc {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/**
 * `window.omsorg`: the typed API and events, built from the contract over Electron IPC. Plain
 * objects of functions, so contextBridge can copy them; the IPC event object (which would leak
 * `sender`) never reaches the page, only the event's name and payload.
 */
export function createPreloadBridge(ipc: PreloadIpc): WorkstationBridge {
  return {
    api: createApiClient({ invoke: (method, input) => ipc.invoke(ipcChannel(method), input) }),
    events: createEventSource({
      subscribe(listener) {
        const onEvent = (_event: unknown, name: unknown, payload: unknown) => {
          if (typeof name === 'string') listener(name, payload);
        };
        ipc.on(IPC_EVENT_CHANNEL, onEvent);
        return () => void ipc.removeListener(IPC_EVENT_CHANNEL, onEvent);
      },
    }),
  };
}
