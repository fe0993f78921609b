import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mutation } from '#contract';
import { verifyChain } from '../../../server/audit/access-log';
import type { Db } from '../../../server/db';
import { demoDb } from './helpers';
import { startSyncHarness, type SyncHarness } from './sync-suite';

/**
 * POST /api/v1/access-log/events (server/audit/routes.ts) and day_note.mark_summarised, on PGlite:
 * reads/copies/exports the workstation reports, scoped to the user's units at the event's time.
 */
let db: Db;
let h: SyncHarness;
const url = '/api/v1/access-log/events';
const ev = (clientId: string, extra: Record<string, unknown> = {}) => ({ action: 'copy', clientId, recordType: 'journal', at: new Date().toISOString(), ...extra });

beforeAll(async () => {
  db = await demoDb();
  h = await startSyncHarness(db);
}, 60_000);
afterAll(async () => {
  await h?.app.close();
  await db?.close();
});

const post = async (token: string | null, body: unknown) =>
  h.app.inject({ method: 'POST', url, payload: body as object, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'x-workstation': 'WS-AUDIT' } });

describe('access events from the workstation', () => {
  it('records read, copy and export events: actor from the session, workstation from the header, in the hash chain', async () => {
    const anna = await h.login('anna');
    const clientId = await h.client('hemtjanst');
    const recordId = randomUUID();
    const res = await post(anna.token, { events: [ev(clientId, { action: 'read' }), ev(clientId, { recordType: 'journal_entry', recordId }), ev(clientId, { action: 'export' })] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ recorded: 3 });
    const { rows } = await db.query<{ action: string; record_type: string; record_id: string | null; actor_staff_id: string; workstation: string }>(
      "SELECT action, record_type, record_id, actor_staff_id, workstation FROM access_log WHERE client_id = $1 AND workstation = 'WS-AUDIT' ORDER BY id",
      [clientId],
    );
    expect(rows.map((r) => [r.action, r.record_type, r.record_id])).toEqual([['read', 'journal', null], ['copy', 'journal_entry', recordId], ['export', 'journal', null]]);
    expect(rows.every((r) => r.actor_staff_id === anna.staffId)).toBe(true);
    expect((await verifyChain(db)).ok).toBe(true);
  });

  it('writes an event with its workstation-made id once: sent again, twice at once, or twice in a batch', async () => {
    const anna = await h.login('anna');
    const clientId = await h.client('hemtjanst');
    const logged = async (id: string) => Number(((await db.query('SELECT count(*)::int AS n FROM access_log WHERE client_id = $1 AND record_id = $2', [clientId, id])).rows[0] as { n: number }).n);
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    const first = await post(anna.token, { events: [ev(clientId, { id: a, recordType: 'journal_entry', recordId: a })] });
    expect(first.statusCode, first.body).toBe(200);
    const again = await post(anna.token, { events: [ev(clientId, { id: a, recordType: 'journal_entry', recordId: a }), ev(clientId, { id: b, recordType: 'journal_entry', recordId: b })] });
    expect(again.json()).toEqual({ recorded: 2 });
    const both = await Promise.all([0, 1].map(() => post(anna.token, { events: [ev(clientId, { id: c, recordType: 'journal_entry', recordId: c })] })));
    expect(both.map((r) => r.statusCode)).toEqual([200, 200]);
    await post(anna.token, { events: [ev(clientId, { id: c, recordType: 'journal_entry', recordId: c }), ev(clientId, { id: c, recordType: 'journal_entry', recordId: c })] });
    expect([await logged(a), await logged(b), await logged(c)]).toEqual([1, 1, 1]);
    // Without an id (a workstation older than this) every send is written.
    const d = randomUUID();
    for (let n = 0; n < 2; n++) await post(anna.token, { events: [ev(clientId, { recordType: 'journal_entry', recordId: d })] });
    expect(await logged(d)).toBe(2);
    // Someone else's id is not hers to reuse: 409, nothing written.
    const sara = await h.login('sara');
    const taken = await post(sara.token, { events: [ev(clientId, { id: a, recordType: 'journal_entry', recordId: randomUUID() })] });
    expect(taken.statusCode).toBe(409);
    expect((await verifyChain(db)).ok).toBe(true);
  });

  it('refuses a client of another unit (403, nothing recorded), and a batch containing one', async () => {
    const anna = await h.login('anna'); // Hemtjänst Majorna only
    const other = await h.client('daglig');
    const own = await h.client('hemtjanst');
    const before = (await db.query('SELECT count(*)::int AS n FROM access_log')).rows[0] as { n: number };
    for (const events of [[ev(other)], [ev(own), ev(other)], [ev(randomUUID())]]) {
      const res = await post(anna.token, { events });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('FORBIDDEN');
    }
    const after = (await db.query('SELECT count(*)::int AS n FROM access_log')).rows[0] as { n: number };
    expect(after.n).toBe(before.n);
  });

  it('refuses without a session (401), a malformed event or a change (400), an event far in the future or too old (400)', async () => {
    const sara = await h.login('sara');
    const clientId = await h.client('daglig');
    expect((await post(null, { events: [ev(clientId)] })).statusCode).toBe(401);
    expect((await post(sara.token, { events: [ev(clientId, { action: 'change' })] })).statusCode).toBe(400);
    expect((await post(sara.token, { events: [ev(clientId, { recordId: '19121212-1212' })] })).statusCode).toBe(400);
    expect((await post(sara.token, { events: [] })).statusCode).toBe(400);
    expect((await post(sara.token, { events: [ev(clientId, { at: new Date(Date.now() + 3_600_000).toISOString() })] })).statusCode).toBe(400);
    expect((await post(sara.token, { events: [ev(clientId, { at: new Date(Date.now() - 40 * 86_400_000).toISOString() })] })).statusCode).toBe(400);
  });
});

describe('day_note.mark_summarised', () => {
  const m = (type: Mutation['type'], record: object) => ({ mutationId: randomUUID(), createdAt: new Date().toISOString(), type, record }) as Mutation;

  it('sets summarised_at only, once; a note out of scope or gone is refused', async () => {
    const sara = await h.login('sara');
    const clientId = await h.client('hemtjanst');
    const noteId = randomUUID();
    const created = await sara.push(m('day_note.create', { id: noteId, unitId: h.units.hemtjanst, clientId, text: 'Kaffet är slut.' }));
    expect(created.results[0]?.status).toBe('applied');
    const first = await sara.push(m('day_note.mark_summarised', { id: noteId }));
    expect(first.results[0]?.status).toBe('applied');
    const { rows } = await db.query<{ text: string; summarised_at: Date }>('SELECT text, summarised_at FROM day_notes WHERE id = $1', [noteId]);
    expect(rows[0]?.text).toBe('Kaffet är slut.');
    expect(rows[0]?.summarised_at).not.toBeNull();
    const again = await sara.push(m('day_note.mark_summarised', { id: noteId }));
    expect(again.results[0]?.status).toBe('applied');
    const { rows: after } = await db.query<{ summarised_at: Date }>('SELECT summarised_at FROM day_notes WHERE id = $1', [noteId]);
    expect(after[0]?.summarised_at.getTime()).toBe(rows[0]!.summarised_at.getTime());

    const daglig = await db.query<{ id: string }>('SELECT id FROM day_notes WHERE unit_id = $1 LIMIT 1', [h.units.daglig]);
    const anna = await h.login('anna');
    const refused = await anna.push(m('day_note.mark_summarised', { id: daglig.rows[0]!.id }), m('day_note.mark_summarised', { id: randomUUID() }));
    expect(refused.results.map((r) => r.status === 'refused' && r.error.code)).toEqual(['FORBIDDEN', 'NOT_FOUND']);
  });
});
