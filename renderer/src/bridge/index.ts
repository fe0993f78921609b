import { createApiClient, createEventSource, type WorkstationBridge } from '#contract';
import { createWsBridge } from './ws-bridge';

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent in the browser host. */
    omsorg?: WorkstationBridge;
  }
}

/** The typed API: from the Electron preload when present, otherwise over the browser host's WebSocket. */
function resolveBridge(): WorkstationBridge {
  if (window.omsorg) return window.omsorg;
  const raw = createWsBridge(window.location);
  return { api: createApiClient(raw), events: createEventSource(raw) };
}

export const { api, events } = resolveBridge();
