import { beforeEach, describe, expect, it, vi } from 'vitest';

/**
 * Administration's actions (renderer/src/screens/admin/admin-actions.ts) and the sync store
 * (renderer/src/state/sync-store.ts), which the panels and the header no longer do themselves. The
 * bridge is the edge: it records the calls, answers as told, and its events are fired by hand.
 */
type Listener = (payload: unknown) => void;
const h = vi.hoisted(() => ({
  calls: [] as { method: string; input: Record<string, unknown> }[],
  ok: [] as boolean[],
  listeners: new Map<string, Listener[]>(),
}));
const answer = (method: string, value: unknown = { id: 'g' }) => async (input: Record<string, unknown>) => {
  h.calls.push({ method, input });
  return h.ok.shift() === false ? { ok: false, error: { code: 'OFFLINE', message: '' } } : { ok: true, value };
};
const status = (pending: number) => ({ connection: 'online', pending, lastSyncAt: null, refusals: [] });
vi.mock('../../../renderer/src/bridge', () => ({
  api: {
    admin: { grant: answer('admin.grant') },
    card: { status: answer('card.status', { readers: [{ name: 'A', cardPresent: true }], selectedReader: null }) },
    sync: { status: answer('sync.status', status(2)), dismissRefusal: answer('sync.dismissRefusal', status(0)) },
  },
  events: {
    on: (name: string, l: Listener) => {
      h.listeners.set(name, [...(h.listeners.get(name) ?? []), l]);
      return () => h.listeners.set(name, (h.listeners.get(name) ?? []).filter((x) => x !== l));
    },
  },
}));
vi.mock('../../../renderer/src/state/session-store', () => ({ onSessionCleared: () => undefined }));
const { grantPermission, watchCardReaders } = await import('../../../renderer/src/screens/admin/admin-actions');
const { useSync } = await import('../../../renderer/src/state/sync-store');
const fire = (name: string, payload: unknown) => (h.listeners.get(name) ?? []).forEach((l) => l(payload));
const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

const grant = (staffId: string) => ({ staffId, role: 'staff' as const, unitId: null, validFrom: '2026-12-07', validTo: null });

beforeEach(() => {
  h.calls = [];
  h.ok = [];
  h.listeners.clear();
});

describe('granting', () => {
  it('one request id per person until the grant succeeds; another person gets her own', async () => {
    h.ok = [false, true, true];
    await grantPermission(grant('a'));
    await grantPermission(grant('b'));
    await grantPermission(grant('a'));
    const [a1, b, a2] = h.calls.map((c) => c.input);
    expect(a2!.requestId).toBe(a1!.requestId);
    expect(b!.requestId).not.toBe(a1!.requestId);
    expect(a1).toEqual({ requestId: a1!.requestId, ...grant('a') });
  });
});

describe('card readers', () => {
  it('as they are now, then as cards come and go, until the unsubscribe', async () => {
    const seen: unknown[] = [];
    const off = watchCardReaders((c) => seen.push(c.readers.map((r) => r.name)));
    await settle();
    fire('card.changed', { readers: [{ name: 'B', cardPresent: true }], selectedReader: null });
    off();
    fire('card.changed', { readers: [], selectedReader: null });
    expect(seen).toEqual([['A'], ['B']]);
  });
});

describe('the sync store', () => {
  it('asks for the status once, follows the pushed one, and a dismissal sets the answer', async () => {
    const off = useSync.getState().watch();
    await settle();
    expect(useSync.getState().status?.pending).toBe(2);
    fire('sync.status', status(5));
    expect(useSync.getState().status?.pending).toBe(5);
    await useSync.getState().dismissRefusal('m1');
    expect(useSync.getState().status?.pending).toBe(0);
    expect(h.calls.map((c) => c.method)).toEqual(['sync.status', 'sync.dismissRefusal']);
    off();
    fire('sync.status', status(9));
    expect(useSync.getState().status?.pending).toBe(0);
  });
});
