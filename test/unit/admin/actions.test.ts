import { beforeEach, describe, expect, it, vi } from 'vitest';
import { answer, calls, emit, inputsOf, ok, refused, reset } from '../../support/renderer-bridge';

/**
 * Administration's actions (renderer/src/screens/admin/admin-actions.ts) and the sync store
 * (renderer/src/state/sync-store.ts), which the panels and the header no longer do themselves. The
 * bridge is the edge (test/support/renderer-bridge.ts): it records the calls, answers as told, and
 * its events are fired by hand.
 */
vi.mock('../../../renderer/src/bridge', () => import('../../support/renderer-bridge'));
vi.mock('../../../renderer/src/state/session-store', () => ({ onSessionCleared: () => undefined }));
const { grantPermission, watchCardReaders } = await import('../../../renderer/src/screens/admin/admin-actions');
const { useSync } = await import('../../../renderer/src/state/sync-store');
const status = (pending: number) => ({ connection: 'online', pending, lastSyncAt: null, refusals: [] });
const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

const grant = (staffId: string) => ({ staffId, role: 'staff' as const, unitId: null, validFrom: '2026-12-07', validTo: null });

beforeEach(reset);

describe('granting', () => {
  it('one request id per person until the grant succeeds; another person gets her own', async () => {
    answer('admin.grant', refused('SERVER_UNREACHABLE'), ok({ id: 'g' }), ok({ id: 'g' }));
    await grantPermission(grant('a'));
    await grantPermission(grant('b'));
    await grantPermission(grant('a'));
    const [a1, b, a2] = inputsOf('admin.grant') as { requestId: string }[];
    expect(a2!.requestId).toBe(a1!.requestId);
    expect(b!.requestId).not.toBe(a1!.requestId);
    expect(a1).toEqual({ requestId: a1!.requestId, ...grant('a') });
  });
});

describe('card readers', () => {
  it('as they are now, then as cards come and go, until the unsubscribe', async () => {
    answer('card.status', ok({ readers: [{ name: 'A', cardPresent: true }], selectedReader: null }));
    const seen: unknown[] = [];
    const off = watchCardReaders((c) => seen.push(c.readers.map((r) => r.name)));
    await settle();
    emit('card.changed', { readers: [{ name: 'B', cardPresent: true }], selectedReader: null });
    off();
    emit('card.changed', { readers: [], selectedReader: null });
    expect(seen).toEqual([['A'], ['B']]);
  });
});

describe('the sync store', () => {
  it('asks for the status once, follows the pushed one, and a dismissal sets the answer', async () => {
    answer('sync.status', ok(status(2)));
    answer('sync.dismissRefusal', ok(status(0)));
    const off = useSync.getState().watch();
    await settle();
    expect(useSync.getState().status?.pending).toBe(2);
    emit('sync.status', status(5));
    expect(useSync.getState().status?.pending).toBe(5);
    await useSync.getState().dismissRefusal('m1');
    expect(useSync.getState().status?.pending).toBe(0);
    expect(calls.map((c) => c.method)).toEqual(['sync.status', 'sync.dismissRefusal']);
    off();
    emit('sync.status', status(9));
    expect(useSync.getState().status?.pending).toBe(0);
  });
});
