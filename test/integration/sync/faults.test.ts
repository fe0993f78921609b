import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientRecord, EventName, SyncStatus } from '#contract';
import type { LocalDayNote, LocalJournalEntry } from '#contract';
import { cardAccessOver } from '../../../main/session/card-access';
import { POISON_AFTER } from '../../../main/sync/failure-judge';
import { DemoInProcessReader, openCardFile } from '../../../native/softcard';
import { startStack, type Stack } from '../../support/stack';
import { LIVE_WAIT_MS } from '../../support/wait';
import { fastSync, ok, syncStatus, waitSynced } from './helpers';

/**
 * The workstation's sync against the real server on PostgreSQL, through a proxy that can lose
 * acknowledgements; the server is stopped and started on the same port. Sara (hemtjänst + daglig
 * verksamhet) logs in with the in-process software card.
 */
let stack: Stack;
const reader = new DemoInProcessReader('Testläsare');
const seen: { name: EventName; payload: unknown }[] = [];
let units: { unitId: string; name: string }[];
let clients: ClientRecord[];

beforeAll(async () => {
  // Pages of 25 changes, so a pull of a few dozen records takes several pages.
  stack = await startStack('sync-faults', { card: cardAccessOver(reader), proxy: true, sync: { ...fastSync, pullLimit: 25, poisonMinSpanMs: 300 }, serverSync: { coalesceMs: 20 } });
  stack.workstation.onEvent((name, payload) => seen.push({ name, payload }));
  const sara = await stack.issueCard({ hsaId: 'SE2321000131-P000000000103', givenName: 'Sara', familyName: 'Nyström' });
  reader.insert(await openCardFile(sara));
  const s = await ok<{ units: { unitId: string; name: string }[] }>(stack.workstation, 'session.login', { pin: '123456' });
  units = s.units;
  await waitSynced(stack.workstation);
  clients = await ok<ClientRecord[]>(stack.workstation, 'clients.list', { limit: 500 });
});
afterAll(async () => stack?.stop());

const ws = () => stack.workstation;
const unitId = (name: RegExp) => units.find((u) => name.test(u.name))!.unitId;
const clientOf = (unit: string) => clients.find((c) => c.unitId === unit)!;
const writeJournal = (clientId: string, text: string) =>
  ok<LocalJournalEntry>(ws(), 'journal.create', { clientId, eventDate: '2026-05-04', text, lifeArea: 'self_care' });
const writeNote = (unit: string, text: string) => ok<LocalDayNote>(ws(), 'daynotes.create', { unitId: unit, text });

async function countOnServer(ids: string[]): Promise<Map<string, number>> {
  const { rows } = await stack.db.query<{ id: string; n: number }>(
    `SELECT id::text, count(*)::int AS n FROM (
       SELECT id FROM journal_entries WHERE id = ANY($1::uuid[]) UNION ALL SELECT id FROM day_notes WHERE id = ANY($1::uuid[])
     ) t GROUP BY id`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r.n]));
}
async function expectOnServerOnce(ids: string[]): Promise<void> {
  const counts = await countOnServer(ids);
  expect(ids.filter((id) => counts.get(id) !== 1)).toEqual([]);
}

describe('sync with the real server', () => {
  it('pulls the permitted units into the encrypted store after login', async () => {
    expect(units.length).toBe(2);
    const { rows } = await stack.db.query<{ n: number }>('SELECT count(*)::int AS n FROM clients WHERE unit_id = ANY($1::uuid[])', [units.map((u) => u.unitId)]);
    expect(clients.length).toBe(rows[0]!.n);
    expect(seen.some((e) => e.name === 'sync.status' && (e.payload as SyncStatus).connection === 'online')).toBe(true);
  });

  it('a write is pending in the store at once and confirmed after the push and pull', async () => {
    const c = clientOf(unitId(/Hemtjänst/));
    const entry = await writeJournal(c.id, 'Hjälp med dusch, gick bra.');
    expect(entry).toMatchObject({ pending: true, clientId: c.id, unitId: c.unitId, author: { hsaId: 'SE2321000131-P000000000103' } });
    await expect.poll(async () => (await ok<LocalJournalEntry[]>(ws(), 'journal.list', { clientId: c.id })).some((e) => e.id === entry.id && !e.pending), { timeout: LIVE_WAIT_MS, interval: 20 }).toBe(true);
    await expectOnServerOnce([entry.id]);
  });

  it('server down during writes: every write answers ok and waits; when the server returns the queue drains, nothing lost or doubled', async () => {
    await stack.server.stop();
    const hem = unitId(/Hemtjänst/);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      ids.push((await (i % 2 ? writeNote(hem, `Offline-anteckning ${i}`) : writeJournal(clientOf(hem).id, `Offline-journal ${i}`))).id);
    }
    await expect.poll(async () => (await syncStatus(ws())).connection, { timeout: LIVE_WAIT_MS, interval: 20, message: 'offline' }).toBe('offline');
    expect((await syncStatus(ws())).pending).toBe(20);
    // Reads come from the store while offline.
    const notes = await ok<LocalDayNote[]>(ws(), 'daynotes.list', { unitId: hem, limit: 500 });
    expect(notes.filter((n) => n.pending).length).toBe(10);
    expect(seen.some((e) => e.name === 'sync.status' && (e.payload as SyncStatus).pending === 20)).toBe(true);
    await stack.server.start();
    await waitSynced(ws());
    await expectOnServerOnce(ids);
  });

  it('server restarted in the middle of a push: nothing lost or doubled', async () => {
    const hem = unitId(/Hemtjänst/);
    let restarted = false;
    stack.proxy!.onPush = () => {
      if (restarted) return;
      restarted = true;
      void stack.server.stop().then(() => new Promise((r) => setTimeout(r, 300))).then(() => stack.server.start());
    };
    const ids: string[] = [];
    for (let i = 0; i < 450; i++) ids.push((await writeNote(hem, `Skur ${i}`)).id);
    await expect.poll(() => restarted, { timeout: LIVE_WAIT_MS, interval: 20, message: 'a push' }).toBe(true);
    await waitSynced(ws(), 30_000);
    stack.proxy!.onPush = null;
    expect(stack.server.running).toBe(true);
    await expectOnServerOnce(ids);
  });

  it('the same push sent twice (the acknowledgement was lost): applied once, answered from the stored result', async () => {
    const hem = unitId(/Hemtjänst/);
    // Both writes wait in the outbox, so they travel in one push, whose answer the proxy then loses.
    await stack.server.stop();
    const ids = [(await writeNote(hem, 'Kvittot försvinner')).id, (await writeJournal(clientOf(hem).id, 'Kvittot försvinner')).id];
    const before = stack.proxy!.pushes.length;
    stack.proxy!.dropPushAcks = 1;
    await stack.server.start();
    await waitSynced(ws());
    expect(stack.proxy!.dropPushAcks).toBe(0);
    const pushes = stack.proxy!.pushes.slice(before).map((b) => JSON.parse(b) as { mutations: { mutationId: string; record: { id: string } }[] });
    const sent = pushes.flatMap((p) => p.mutations.map((m) => m.record.id)).filter((id) => ids.includes(id));
    // Each record went out at least twice (the first answer was lost) and is on the server once.
    for (const id of ids) expect(sent.filter((x) => x === id).length).toBeGreaterThanOrEqual(2);
    await expectOnServerOnce(ids);
    const mids = pushes.flatMap((p) => p.mutations.filter((m) => ids.includes(m.record.id)).map((m) => m.mutationId));
    const { rows } = await stack.db.query<{ n: number }>('SELECT count(*)::int AS n FROM applied_mutations WHERE mutation_id = ANY($1::uuid[])', [[...new Set(mids)]]);
    expect(rows[0]!.n).toBe(2);
  });

  it('a poison pill: a mutation the server answers 500 alone, while others of its kind are applied, is set aside after POISON_AFTER tries, kept with its text; the writes behind it arrive; a restarted server gets it again', async () => {
    const hem = unitId(/Hemtjänst/);
    const client = clientOf(hem).id;
    const isPoison = (m: { record: { text?: string } }) => m.record.text === 'Giftpiller: servern faller på just den här';
    // The server fails every push that carries the poisoned entry (a server bug on one mutation).
    stack.proxy!.failPush = (body) => (JSON.parse(body) as { mutations: { record: { text?: string } }[] }).mutations.some(isPoison);
    await stack.server.stop();
    const before = (await writeJournal(client, 'Före giftpillret')).id;
    const poison = await writeJournal(client, 'Giftpiller: servern faller på just den här');
    const behind = [(await writeNote(hem, 'Efter giftpillret')).id, (await writeJournal(client, 'Också efter giftpillret')).id];
    const pushesBefore = stack.proxy!.pushes.length;
    await stack.server.start();
    try {
      let s: SyncStatus | null = null;
      await expect.poll(async () => {
        s = await syncStatus(ws());
        return s.connection === 'online' && s.pending === 0 && s.refusals.some((r) => r.type === 'journal_entry.create');
      }, { timeout: 20_000, interval: 20, message: 'the poison set aside and the queue drained' }).toBe(true);
      const refusal = s!.refusals.find((r) => r.type === 'journal_entry.create')!;
      expect(refusal).toMatchObject({ code: 'SERVER_ERROR', text: 'Giftpiller: servern faller på just den här' });
      expect(refusal.message).toMatch(/3 gånger i rad/);
      // The writes before and behind it are on the server once; the poison is not, and its local copy is kept.
      await expectOnServerOnce([before, ...behind]);
      expect((await countOnServer([poison.id])).size).toBe(0);
      expect((await ok<LocalJournalEntry[]>(ws(), 'journal.list', { clientId: client, limit: 500 })).find((e) => e.id === poison.id)).toMatchObject({ pending: true });
      // It was sent alone at least POISON_AFTER times (after the batch that carried it failed).
      const alone = stack.proxy!.pushes.slice(pushesBefore).map((b) => (JSON.parse(b) as { mutations: { record: { text?: string } }[] }).mutations).filter((m) => m.length === 1 && isPoison(m[0]!));
      expect(alone.length).toBeGreaterThanOrEqual(POISON_AFTER);
      // The server is fixed and restarted (another instance): the set-aside write goes again and arrives; the notice goes.
      stack.proxy!.failPush = null;
      await stack.server.stop();
      await stack.server.start();
      await expect.poll(async () => (await countOnServer([poison.id])).size, { timeout: LIVE_WAIT_MS, interval: 20, message: 'the poison sent again to the new server' }).toBe(1);
      await expect.poll(async () => (await syncStatus(ws())).refusals.length, { timeout: 5_000, interval: 20 }).toBe(0);
    } finally {
      stack.proxy!.failPush = null;
    }
  });

  it('the journal INSERT failing for 10 s while pulls work (a real PostgreSQL trigger): nothing is set aside, every entry arrives after recovery', async () => {
    const hem = unitId(/Hemtjänst/);
    await stack.db.exec(`
      CREATE FUNCTION test_journal_outage() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'simulated journal outage'; END $$;
      CREATE TRIGGER test_journal_outage BEFORE INSERT ON journal_entries FOR EACH ROW EXECUTE FUNCTION test_journal_outage();
    `);
    const pullsBefore = stack.proxy!.pulls;
    const ids: string[] = [];
    const notes: string[] = [];
    try {
      for (let i = 0; i < 10; i++) {
        ids.push((await writeJournal(clientOf(hem).id, `Under avbrottet ${i}`)).id);
        notes.push((await writeNote(hem, `Anteckning under avbrottet ${i}`)).id);
      }
      // The day notes go through meanwhile: the server works, only the journal fails.
      await expect.poll(async () => (await countOnServer(notes)).size, { timeout: LIVE_WAIT_MS, interval: 50 }).toBe(10);
      await new Promise((r) => setTimeout(r, 10_000));
      const s = await syncStatus(ws());
      expect(s.refusals).toEqual([]);
      expect(s.pending).toBe(10);
      expect((await countOnServer(ids)).size).toBe(0);
    } finally {
      await stack.db.exec('DROP TRIGGER test_journal_outage ON journal_entries; DROP FUNCTION test_journal_outage();');
    }
    await waitSynced(ws(), 20_000);
    await expectOnServerOnce(ids);
    expect((await syncStatus(ws())).refusals).toEqual([]);
    // Pulls worked throughout.
    expect(stack.proxy!.pulls).toBeGreaterThan(pullsBefore + 5);
  }, 60_000);

  it('a server failing every request (its database down) sets nothing aside: the writes wait and arrive when it recovers', async () => {
    const hem = unitId(/Hemtjänst/);
    stack.proxy!.failAll = true;
    const pushesBefore = stack.proxy!.pushes.length;
    try {
      const ids = [(await writeJournal(clientOf(hem).id, 'Databasen nere')).id, (await writeNote(hem, 'Databasen nere')).id];
      // Each run tries the batch, then its first mutation alone, then fails at the pull: more runs than POISON_AFTER.
      await expect.poll(() => stack.proxy!.pushes.length - pushesBefore, { timeout: LIVE_WAIT_MS, interval: 20, message: 'runs against the failing server' }).toBeGreaterThanOrEqual(2 * (POISON_AFTER + 1));
      const s = await syncStatus(ws());
      expect(s).toMatchObject({ connection: 'offline', pending: 2, refusals: [] });
      stack.proxy!.failAll = false;
      await waitSynced(ws());
      await expectOnServerOnce(ids);
      expect((await syncStatus(ws())).refusals).toEqual([]);
    } finally {
      stack.proxy!.failAll = false;
    }
  });

  it("the workstation's API refuses a year-0000 event date in Swedish before anything is queued (the server's schema)", async () => {
    const pending = (await syncStatus(ws())).pending;
    const r = await ws().dispatch('journal.create', { clientId: clientOf(unitId(/Hemtjänst/)).id, eventDate: '0000-01-01', text: 'År noll', lifeArea: null });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('VALIDATION');
    expect(JSON.stringify(r.error.details)).toContain('Datumet måste ligga mellan år 1900 och 2199.');
    expect((await syncStatus(ws())).pending).toBe(pending);
  });

  it('a permission ended while offline: the unit is purged and its pending writes come back as refusals', async () => {
    const daglig = unitId(/Daglig/);
    const dagligClient = clientOf(daglig);
    await stack.server.stop();
    const note = await writeNote(daglig, 'Skrivet efter att behörigheten gick ut');
    const entry = await writeJournal(dagligClient.id, 'Också efter');
    const hemNote = await writeNote(unitId(/Hemtjänst/), 'Den här enheten gäller fortfarande');
    await stack.db.query(
      `UPDATE permissions SET valid_to = current_date - 1
        WHERE unit_id = $1 AND staff_id = (SELECT id FROM staff WHERE hsa_id = 'SE2321000131-P000000000103')`,
      [daglig],
    );
    await stack.server.start();
    let s: SyncStatus | null = null;
    await expect.poll(async () => {
      s = await syncStatus(ws());
      return s.connection === 'online' && s.pending === 0 && s.refusals.length >= 2;
    }, { timeout: 15_000, interval: 20, message: 'refusals' }).toBe(true);
    const refusals = s!.refusals;
    expect(refusals.map((r) => r.type).sort()).toEqual(['day_note.create', 'journal_entry.create']);
    for (const r of refusals) expect(r.message.length).toBeGreaterThan(0);
    // The unit's data left the store; the other unit's did not.
    expect(await ok<ClientRecord[]>(ws(), 'clients.list', { unitId: daglig })).toEqual([]);
    expect(await ok<LocalDayNote[]>(ws(), 'daynotes.list', { unitId: daglig })).toEqual([]);
    const journal = await ws().dispatch('journal.list', { clientId: dagligClient.id });
    expect(journal.ok ? journal.value : journal.error.code).toEqual(journal.ok ? [] : 'NOT_FOUND');
    expect((await countOnServer([note.id, entry.id, hemNote.id])).get(hemNote.id)).toBe(1);
    expect((await countOnServer([note.id, entry.id])).size).toBe(0);
    // The user dismisses one.
    const after = await ok<SyncStatus>(ws(), 'sync.dismissRefusal', { mutationId: refusals[0]!.mutationId });
    expect(after.refusals.length).toBe(refusals.length - 1);
  });

  /** Day notes written on the server (as another workstation would), found in the local store by a word of their text. */
  const notesOnServer = (unit: string, word: string, n: number) =>
    stack.db.query(
      `INSERT INTO day_notes (id, unit_id, text, author_staff_id, author_hsa_id, author_name, author_title)
       SELECT gen_random_uuid(), $1, $2 || ' ' || g, s.id, s.hsa_id, s.given_name || ' ' || s.family_name, s.title
         FROM generate_series(1, $3::int) g, staff s WHERE s.hsa_id = 'SE2321000131-P000000000103'`,
      [unit, word, n],
    );
  const inStore = async (unit: string, word: string) => (await ok<LocalDayNote[]>(ws(), 'daynotes.search', { query: word, unitId: unit, limit: 500 })).length;

  it('a server without x-sync-next (one from before it): each page is read before the next is asked for, and nothing is missed', async () => {
    const unit = unitId(/Hemtjänst/); // still in scope (the test above ended the other)
    stack.proxy!.stripPullNext = true;
    const pullsBefore = stack.proxy!.pulls;
    try {
      await notesOnServer(unit, 'Huvudlös', 60);
      await expect.poll(async () => (await inStore(unit, 'Huvudlös')), { timeout: LIVE_WAIT_MS, interval: 20, message: 'the 60 notes in the store' }).toBe(60);
      expect(stack.proxy!.pulls - pullsBefore).toBeGreaterThanOrEqual(3); // pages of 25
    } finally {
      stack.proxy!.stripPullNext = false;
    }
  });

  it('a page whose x-sync-next disagrees with its body is refused: nothing of it is applied, the sync is offline until the header is right', async () => {
    const unit = unitId(/Hemtjänst/); // still in scope (the test above ended the other)
    stack.proxy!.tamperPullNext = (header) => {
      const next = JSON.parse(header) as { cursors: Record<string, number>; hasMore: boolean };
      return JSON.stringify({ ...next, cursors: Object.fromEntries(Object.entries(next.cursors).map(([u, seq]) => [u, seq + 1])) });
    };
    try {
      await notesOnServer(unit, 'Felhuvud', 3);
      await expect.poll(async () => (await syncStatus(ws())).connection, { timeout: LIVE_WAIT_MS, interval: 20, message: 'offline after the refused page' }).toBe('offline');
      expect(await inStore(unit, 'Felhuvud')).toBe(0);
    } finally {
      stack.proxy!.tamperPullNext = null;
    }
    await ok(ws(), 'sync.now');
    await expect.poll(async () => (await inStore(unit, 'Felhuvud')), { timeout: LIVE_WAIT_MS, interval: 20, message: 'the notes after the header is right' }).toBe(3);
    expect((await syncStatus(ws())).connection).toBe('online');
  });

  it('a locked workstation refuses every data call and stops syncing', async () => {
    reader.remove();
    for (const [m, input] of [
      ['sync.status', {}],
      ['clients.list', {}],
      ['daynotes.create', { unitId: units[0]!.unitId, text: 'x' }],
    ] as const) {
      const r = await ws().dispatch(m, input);
      expect(r.ok === false && r.error.code).toBe('SESSION_LOCKED');
    }
  });
});
