import { expect, vi } from 'vitest';
import type { SyncStatus } from '#contract';
import type { Workstation } from '../../../main/workstation';
import { LIVE_WAIT_MS } from '../../support/wait';

/** A dispatch that must succeed, on the workstation in this process or one in a child (HostProcess). */
export async function ok<T = unknown>(ws: Pick<Workstation, 'dispatch'>, method: string, input: unknown = {}): Promise<T> {
  const r = await ws.dispatch(method, input);
  if (!r.ok) throw new Error(`${method} failed: ${r.error.code} ${r.error.message}`);
  return r.value as T;
}

export const syncStatus = (ws: Workstation) => ok<SyncStatus>(ws, 'sync.status');

/** Online with nothing pending; usable from hooks too (vi.waitFor, not expect.poll). */
export async function waitSynced(ws: Workstation, ms = LIVE_WAIT_MS): Promise<SyncStatus> {
  return vi.waitFor(
    async () => {
      const s = await syncStatus(ws);
      expect(s, 'online with nothing pending').toMatchObject({ connection: 'online', pending: 0 });
      return s;
    },
    { timeout: ms, interval: 20 },
  );
}

/** Fast retries for tests: a returning server is found within a fraction of a second. */
export const fastSync = {
  backoff: { baseMs: 50, capMs: 400 },
  events: { backoff: { baseMs: 50, capMs: 400 } },
  safetyPullMs: 5_000,
};
