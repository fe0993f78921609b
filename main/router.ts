import {
  AppFailure,
  err,
  lookupMethod,
  validationDetails,
  type ApiHandlers,
  type Result,
} from '#contract';

export type Dispatch = (method: string, input: unknown) => Promise<Result<unknown>>;

/**
 * Turns typed handlers into one `dispatch(method, input)` that both transports use (Electron IPC
 * and the browser host's WebSocket). Input is validated before any service runs; a handler's
 * output is validated too, so a service bug cannot leak a shape the renderer does not expect.
 */
export function createRouter<Ctx>(handlers: ApiHandlers<Ctx>, ctx: () => Ctx, log: RouterLog = silentLog): Dispatch {
  return async (method, input) => {
    const spec = lookupMethod(method);
    if (!spec) return err('UNKNOWN_METHOD', `Okänt anrop: ${String(method).slice(0, 100)}`);
    const parsed = spec.input.safeParse(input ?? {});
    if (!parsed.success) {
      return err('VALIDATION', `Ogiltiga uppgifter till ${method}`, validationDetails(parsed.error));
    }
    const [ns, m] = method.split('.') as [string, string];
    const handler = (handlers as unknown as Record<string, Record<string, (i: unknown, c: Ctx) => Promise<unknown>>>)[ns]![m]!;
    try {
      const value = await handler(parsed.data, ctx());
      const out = spec.output.safeParse(value);
      if (!out.success) {
        log.error({ method, issues: validationDetails(out.error) }, 'handler output broke the contract');
        return err('INTERNAL', `Internt fel i ${method}`);
      }
      return { ok: true, value: out.data };
    } catch (e) {
      if (e instanceof AppFailure) return { ok: false, error: e.toError() };
      log.error({ method, err: (e as Error).message }, 'handler failed');
      return err('INTERNAL', `Internt fel i ${method}`);
    }
  };
}

export interface RouterLog {
  error(obj: object, msg: string): void;
}
const silentLog: RouterLog = { error: () => undefined };
