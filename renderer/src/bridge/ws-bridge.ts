import { HOST_SECRET_PARAM, LAUNCH_PATH, WS_PATH, WsServerFrame, type Bridge } from '#contract';

/** Why the page cannot reach its host: started again (this tab is an old one), or not running. */
export type HostLost = 'restarted' | 'gone';

/**
 * The browser host's side of the bridge: the typed contract over one WebSocket, opened with the
 * per-launch secret from the page URL. Reconnects with backoff; calls made while disconnected
 * wait for the connection for a while, then fail as SERVER_UNREACHABLE in the client.
 */
export function createWsBridge(location: Location): Bridge & { onHostLost(listener: (why: HostLost | null) => void): () => void } {
  const secret = new URLSearchParams(location.search).get(HOST_SECRET_PARAM) ?? '';
  const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${WS_PATH}?${HOST_SECRET_PARAM}=${encodeURIComponent(secret)}`;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Set<(name: string, payload: unknown) => void>();
  let nextId = 1;
  let socket: WebSocket | null = null;
  let ready: Promise<WebSocket> | null = null;
  let backoffMs = 250;
  const lostListeners = new Set<(why: HostLost | null) => void>();
  let lost: HostLost | null = null;
  const setLost = (why: HostLost | null) => {
    if (why === lost) return;
    lost = why;
    for (const l of lostListeners) l(why);
  };
  // The WebSocket does not say why it would not open: ask the host whether this tab's secret is
  // still its own (a 403 on the upgrade looks like any other failure from here).
  const probe = () =>
    fetch(`${LAUNCH_PATH}?${HOST_SECRET_PARAM}=${encodeURIComponent(secret)}`, { cache: 'no-store' }).then(
      (r) => setLost(r.status === 410 ? 'restarted' : null),
      () => setLost('gone'),
    );

  const connect = (): Promise<WebSocket> => {
    if (ready) return ready;
    ready = new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(wsUrl);
      ws.onopen = () => {
        socket = ws;
        backoffMs = 250;
        setLost(null);
        resolve(ws);
      };
      ws.onmessage = (ev) => {
        let data: unknown;
        try {
          data = JSON.parse(String(ev.data));
        } catch {
          return;
        }
        const frame = WsServerFrame.safeParse(data);
        if (!frame.success) return;
        if (frame.data.kind === 'reply') {
          const p = pending.get(frame.data.id);
          pending.delete(frame.data.id);
          p?.resolve(frame.data.result);
        } else {
          for (const l of listeners) l(frame.data.name, frame.data.payload);
        }
      };
      ws.onclose = () => {
        socket = null;
        ready = null;
        for (const p of pending.values()) p.reject(new Error('Anslutningen till arbetsstationen bröts'));
        pending.clear();
        reject(new Error('Kunde inte ansluta till arbetsstationen'));
        void probe();
        if (listeners.size > 0) {
          setTimeout(() => void connect().catch(() => undefined), backoffMs);
          backoffMs = Math.min(backoffMs * 2, 5000);
        }
      };
    });
    return ready;
  };

  return {
    async invoke(method, input) {
      const ws = socket ?? (await connect());
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        ws.send(JSON.stringify({ kind: 'call', id, method, input }));
      });
    },
    onHostLost(listener) {
      lostListeners.add(listener);
      if (lost) listener(lost);
      return () => lostListeners.delete(listener);
    },
    subscribe(listener) {
      listeners.add(listener);
      void connect().catch(() => undefined);
      return () => listeners.delete(listener);
    },
  };
}
