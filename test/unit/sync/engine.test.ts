import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventName, Mutation } from '../../../contract';
import { SyncEngine } from '../../../main/sync/sync-engine';
import { FakeSyncServer, MemoryStore, author } from './fakes';

const unitA = randomUUID();
const unitB = randomUUID();
let engines: SyncEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.map((e) => e.stop()));
  engines = [];
});

function setup(opts: { token?: () => string } = {}) {
  const store = new MemoryStore();
  const server = new FakeSyncServer([unitA, unitB]);
  const events: { name: EventName; payload: unknown }[] = [];
  const engine = new SyncEngine({
    store,
    serverUrl: 'http://sync.test',
    token: opts.token ?? (() => 'token'),
    emit: (name, payload) => events.push({ name, payload }),
    fetch: server.fetch,
    events: false,
    backoff: { baseMs: 5, capMs: 20 },
    pullLimit: 10,
  });
  engines.push(engine);
  return { store, server, engine, events };
}

const note = (unitId = unitA, text = 'Ringde anhörig'): Mutation => ({
  mutationId: randomUUID(),
  createdAt: new Date().toISOString(),
  type: 'day_note.create',
  record: { id: randomUUID(), unitId, clientId: null, text },
});

const waitFor = async (pred: () => boolean | Promise<boolean>, ms = 3000) => {
  const t0 = Date.now();
  while (!(await pred())) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('the sync engine', () => {
  it('pushes the outbox oldest first in batches of at most 200, and pulls the applied records back', async () => {
    const { store, server, engine } = setup();
    const ms = Array.from({ length: 450 }, () => note());
    for (const m of ms) await store.enqueue(m, author);
    const s = await engine.syncNow();
    expect(server.pushSizes).toEqual([200, 200, 50]);
    expect(s).toMatchObject({ connection: 'online', pending: 0, refusals: [] });
    expect([...server.applied.keys()]).toEqual(ms.map((m) => m.mutationId));
    expect([...store.noteMap.values()].every((n) => !n.pending)).toBe(true);
    expect(store.noteMap.size).toBe(450);
  });

  it('pulls page after page until the server has no more, keeping each unit\'s cursor', async () => {
    const { store, server, engine, events } = setup();
    for (let i = 0; i < 35; i++) {
      const id = randomUUID();
      const unitId = i % 2 ? unitA : unitB;
      server.add({ op: 'upsert', type: 'client', id, unitId, record: { id, unitId, personnummer: '191212121212', givenName: 'T', familyName: `K${i}` } });
    }
    await engine.syncNow();
    expect(server.pulls).toBe(4);
    expect(store.clientMap.size).toBe(35);
    expect(store.cursorMap[unitA]).toBe(34);
    expect(store.cursorMap[unitB]).toBe(35);
    expect(events.some((e) => e.name === 'data.changed' && (e.payload as { kinds: string[] }).kinds.includes('client'))).toBe(true);
  });

  it('a refused write leaves the outbox, its record disappears, and the reason is in the status', async () => {
    const { store, server, engine } = setup();
    server.refuse = (m) => (m.type === 'day_note.create' && m.record.text === 'nej' ? 'Behörigheten har upphört' : null);
    const bad = note(unitA, 'nej');
    await store.enqueue(note(), author);
    await store.enqueue(bad, author);
    const s = await engine.syncNow();
    expect(s.pending).toBe(0);
    expect(s.refusals).toEqual([expect.objectContaining({ mutationId: bad.mutationId, code: 'FORBIDDEN', message: 'Behörigheten har upphört', type: 'day_note.create' })]);
    expect(store.noteMap.has((bad.record as { id: string }).id)).toBe(false);
  });

  it('offline: writes wait with a pending count; when the server returns the queue drains by itself', async () => {
    const { store, server, engine } = setup();
    server.down = true;
    engine.start();
    for (let i = 0; i < 5; i++) {
      await store.enqueue(note(), author);
      engine.kick();
    }
    await waitFor(() => (store.box[0]?.attempts ?? 0) > 0);
    expect(await engine.status()).toMatchObject({ connection: 'offline', pending: 5 });
    server.down = false;
    await waitFor(async () => (await engine.status()).pending === 0);
    expect((await engine.status()).connection).toBe('online');
    expect([...server.writes.values()]).toEqual([1, 1, 1, 1, 1]);
  });

  it('a lost acknowledgement: the engine sends again and the server answers the stored result, applying nothing twice', async () => {
    const { store, server, engine } = setup();
    for (let i = 0; i < 3; i++) await store.enqueue(note(), author);
    server.dropAfterApply = 1;
    engine.start();
    await waitFor(async () => (await engine.status()).pending === 0);
    expect(server.pushSizes).toEqual([3, 3]);
    expect([...server.writes.values()]).toEqual([1, 1, 1]);
  });

  it('a batch the server rejects as a whole is split, so one bad mutation cannot block the queue', async () => {
    const { store, server, engine } = setup();
    const poison = note(unitA, 'poison');
    const inner = server.fetch;
    server.fetch = async (input, init) => {
      const body = JSON.parse(String(init?.body ?? '{}'));
      if (String(input).endsWith('/push') && body.mutations.some((m: Mutation) => m.mutationId === poison.mutationId)) {
        return new Response(JSON.stringify({ error: { code: 'VALIDATION', message: 'bad' } }), { status: 400 });
      }
      return inner(input, init);
    };
    const e2 = new SyncEngine({ store, serverUrl: 'http://sync.test', token: () => 't', emit: () => undefined, fetch: server.fetch, events: false });
    engines.push(e2);
    await store.enqueue(note(), author);
    await store.enqueue(poison, author);
    await store.enqueue(note(), author);
    const s = await e2.syncNow();
    expect(s.pending).toBe(0);
    expect(s.refusals.map((r) => r.mutationId)).toEqual([poison.mutationId]);
    expect(server.writes.size).toBe(2);
    void engine;
  });

  it('purges day notes past the retention by the server\'s clock', async () => {
    const { store, server, engine } = setup();
    const old = randomUUID();
    const fresh = randomUUID();
    const day = 86_400_000;
    server.serverTime = new Date('2026-06-01T12:00:00Z');
    for (const [id, at] of [[old, '2026-02-01T10:00:00Z'], [fresh, '2026-05-30T10:00:00Z']] as const) {
      server.add({ op: 'upsert', type: 'day_note', id, unitId: unitA, record: { id, unitId: unitA, clientId: null, text: 'x', author, createdAt: at, summarisedAt: null } });
    }
    await engine.syncNow();
    expect([...store.noteMap.keys()]).toEqual([fresh]);
    expect(server.serverTime.getTime() - Date.parse('2026-02-01T10:00:00Z')).toBeGreaterThan(90 * day);
  });

  it('a unit that leaves the scope is purged from the store', async () => {
    const { store, server, engine } = setup();
    const id = randomUUID();
    server.add({ op: 'upsert', type: 'client', id, unitId: unitB, record: { id, unitId: unitB, personnummer: '191212121212', givenName: 'T', familyName: 'K' } });
    await engine.syncNow();
    expect(store.clientMap.size).toBe(1);
    server.units = server.units.filter((u) => u.unitId !== unitB);
    await engine.syncNow();
    expect(store.clientMap.size).toBe(0);
    expect(Object.keys(store.cursorMap)).toEqual([unitA]);
  });

  it('stops at once and sends nothing more, also without a session', async () => {
    let alive = true;
    const { store, server, engine } = setup({
      token: () => {
        if (!alive) throw new Error('locked');
        return 't';
      },
    });
    engine.start();
    await engine.idle();
    const pulls = server.pulls;
    alive = false;
    await engine.stop();
    await store.enqueue(note(), author);
    engine.kick({ now: true });
    await new Promise((r) => setTimeout(r, 30));
    expect(server.pulls).toBe(pulls);
    expect(server.pushSizes).toEqual([]);
  });
});
