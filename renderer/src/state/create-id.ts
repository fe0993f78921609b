/**
 * A create's client-made id (contract CreateId, docs/sync.md "Every create once"): one per thing
 * being created, named by `form` (e.g. `note:<unit>:<client>`). Every send of that form until it
 * succeeds carries the same id — a double-click, a second click while the first is on its way, a
 * retry after an error — so the workstation and the server make one record of it. `created(form)`
 * after success: the next one is a new thing with a new id.
 */
const pending = new Map<string, string>();

export function createIdFor(form: string): string {
  let id = pending.get(form);
  if (!id) {
    id = crypto.randomUUID();
    pending.set(form, id);
  }
  return id;
}

export function created(form: string): void {
  pending.delete(form);
}

/** Sends `send(requestId)` with the form's id; a successful answer retires it. */
export async function createOnce<R extends { ok: boolean }>(form: string, send: (requestId: string) => Promise<R>): Promise<R> {
  const r = await send(createIdFor(form));
  if (r.ok) created(form);
  return r;
}
