import { createApiClient, createEventSource, type WorkstationBridge } from '#contract';
import { createWsBridge, type HostLost } from './ws-bridge';

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent in the browser host. */
    omsorg?: WorkstationBridge;
  }
}

/** The typed API: from the Electron preload when present, otherwise over the browser host's WebSocket. */
function resolveBridge(): WorkstationBridge & { onHostLost: (listener: (why: HostLost | null) => void) => () => void } {
  // In Electron the shell and the page live and die together: there is no old tab.
  if (window.omsorg) return { ...window.omsorg, onHostLost: () => () => undefined };
  const raw = createWsBridge(window.location);
  return { api: createApiClient(raw), events: createEventSource(raw), onHostLost: raw.onHostLost };
}

export const { api, events, onHostLost } = resolveBridge();
export type { HostLost };
