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
  const once = new CreateOnce();
  return async (method, input) => {
    const spec = lookupMethod(method);
    if (!spec) return err('UNKNOWN_METHOD', `unknown method: ${String(method).slice(0, 100)}`);
    const parsed = spec.input.safeParse(input ?? {});
    if (!parsed.success) {
      return err('VALIDATION', `invalid input to ${method}`, validationDetails(parsed.error));
    }
    // A create with its client-made id (contract CreateId): the same id again gets the first
    // call's answer — while it runs and after — instead of a second record.
    const requestId = (parsed.data as { requestId?: unknown }).requestId;
    if (typeof requestId === 'string') return once.run(`${method} ${requestId}`, () => run(method, parsed.data));
    return run(method, parsed.data);
  };

  async function run(method: string, data: unknown): Promise<Result<unknown>> {
    const spec = lookupMethod(method)!;
    const [ns, m] = method.split('.') as [string, string];
    const handler = (handlers as unknown as Record<string, Record<string, (i: unknown, c: Ctx) => Promise<unknown>>>)[ns]![m]!;
    try {
      const value = await handler(data, ctx());
      const out = spec.output.safeParse(value);
      if (!out.success) {
        log.error({ method, issues: validationDetails(out.error) }, 'handler output broke the contract');
        return err('INTERNAL', `internal error in ${method}`);
      }
      return { ok: true, value: out.data };
    } catch (e) {
      if (e instanceof AppFailure) return { ok: false, error: e.toError() };
      log.error({ method, err: (e as Error).message }, 'handler failed');
      return err('INTERNAL', `internal error in ${method}`);
    }
  }
}

/**
 * The workstation's half of "every create once" (docs/sync.md): answers by client-made id, kept
 * while the create runs and for an hour after (a double-click, a renderer retrying after a lost
 * answer). A failed create is forgotten, so trying again runs it again — the server's own
 * create_requests (or the outbox's mutation id) still makes that at most one record. Bounded:
 * the oldest answers go first past MAX entries.
 */
export class CreateOnce {
  static readonly MAX = 2_000;
  static readonly KEEP_MS = 3_600_000;
  private readonly answers = new Map<string, { at: number; answer: Promise<Result<unknown>> }>();

  constructor(private readonly now: () => number = Date.now) {}

  run(key: string, create: () => Promise<Result<unknown>>): Promise<Result<unknown>> {
    const t = this.now();
    const known = this.answers.get(key);
    if (known && t - known.at < CreateOnce.KEEP_MS) return known.answer;
    const answer = create().then(
      (r) => {
        if (!r.ok) this.answers.delete(key);
        return r;
      },
      (e: unknown) => {
        this.answers.delete(key);
        throw e;
      },
    );
    this.answers.set(key, { at: t, answer });
    while (this.answers.size > CreateOnce.MAX) this.answers.delete(this.answers.keys().next().value!);
    return answer;
  }
}

export interface RouterLog {
  error(obj: object, msg: string): void;
}
const silentLog: RouterLog = { error: () => undefined };
