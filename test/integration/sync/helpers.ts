import type { SyncStatus } from '../../../contract';
import type { Workstation } from '../../../main/workstation';

export const waitFor = async (pred: () => boolean | Promise<boolean>, ms = 15_000, what = 'condition'): Promise<void> => {
  const t0 = Date.now();
  while (!(await pred())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** A dispatch that must succeed. */
export async function ok<T = unknown>(ws: Workstation, method: string, input: unknown = {}): Promise<T> {
  const r = await ws.dispatch(method, input);
  if (!r.ok) throw new Error(`${method} failed: ${r.error.code} ${r.error.message}`);
  return r.value as T;
}

export const syncStatus = (ws: Workstation) => ok<SyncStatus>(ws, 'sync.status');

export async function waitSynced(ws: Workstation, ms = 15_000): Promise<SyncStatus> {
  let last: SyncStatus | null = null;
  await waitFor(
    async () => {
      last = await syncStatus(ws);
      return last.connection === 'online' && last.pending === 0;
    },
    ms,
    'online with nothing pending',
  );
  return last!;
}

/** Fast retries for tests: a returning server is found within a fraction of a second. */
export const fastSync = {
  backoff: { baseMs: 50, capMs: 400 },
  events: { backoff: { baseMs: 50, capMs: 400 } },
  safetyPullMs: 5_000,
};
