import { apiContract, eventContract, isEventName, type ApiClient, type EventName, type EventPayload } from './api';
import { AppErrorSchema, err, type Result } from './result';

/** The raw pipe under the typed client: Electron IPC in the shell, a WebSocket in the browser host. */
export interface Bridge {
  invoke(method: string, input: unknown): Promise<unknown>;
  /** Subscribes to every event; returns an unsubscribe function. */
  subscribe(listener: (name: string, payload: unknown) => void): () => void;
}

/**
 * Builds the typed API as plain nested objects of functions (no Proxy), so Electron's
 * contextBridge can copy it into the renderer's world. Replies are checked: a reply that does not
 * match the contract becomes an INTERNAL error instead of reaching the UI as wrong data.
 */
export function createApiClient(bridge: Pick<Bridge, 'invoke'>): ApiClient {
  const client: Record<string, Record<string, (input: unknown) => Promise<Result<unknown>>>> = {};
  for (const [ns, methods] of Object.entries(apiContract)) {
    const target: Record<string, (input: unknown) => Promise<Result<unknown>>> = {};
    for (const [m, spec] of Object.entries(methods)) {
      const method = `${ns}.${m}`;
      target[m] = async (input: unknown) => {
        let reply: unknown;
        try {
          reply = await bridge.invoke(method, input);
        } catch (e) {
          return err('SERVER_UNREACHABLE', `Anropet ${method} kunde inte skickas: ${(e as Error).message}`);
        }
        return checkReply(method, spec.output, reply);
      };
    }
    client[ns] = target;
  }
  return client as unknown as ApiClient;
}

function checkReply(method: string, output: { safeParse(v: unknown): { success: boolean; data?: unknown } }, reply: unknown): Result<unknown> {
  if (typeof reply === 'object' && reply !== null && 'ok' in reply) {
    const r = reply as { ok: unknown; value?: unknown; error?: unknown };
    if (r.ok === true) {
      const parsed = output.safeParse(r.value);
      if (parsed.success) return { ok: true, value: parsed.data };
    } else if (r.ok === false) {
      const e = AppErrorSchema.safeParse(r.error);
      if (e.success) return { ok: false, error: e.data };
    }
  }
  return err('INTERNAL', `Svaret på ${method} följer inte kontraktet`);
}

export type EventListener<E extends EventName> = (payload: EventPayload<E>) => void;

/** Typed event subscription over a bridge; payloads are validated against the contract. */
export function createEventSource(bridge: Pick<Bridge, 'subscribe'>) {
  return {
    on<E extends EventName>(name: E, listener: EventListener<E>): () => void {
      return bridge.subscribe((n, payload) => {
        if (n !== name || !isEventName(n)) return;
        const parsed = eventContract[name].safeParse(payload);
        if (parsed.success) listener(parsed.data as EventPayload<E>);
      });
    },
  };
}
export type EventSource = ReturnType<typeof createEventSource>;

/** What the preload exposes on `window.omsorg`, and what the browser host builds the same way. */
export interface WorkstationBridge {
  api: ApiClient;
  events: EventSource;
}
