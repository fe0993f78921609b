/**
 * Issue 29: at LoA2 (the identity provider or password + one-time code) a staff member writes
 * messages that carry no client data through the sync push, on a real PostgreSQL. The push decides
 * from the stored thread, never from what the workstation says: a new thread without client or
 * assignment, and replies and read receipts on such threads, are applied, reach the recipient and
 * are access-logged; every other mutation (a thread about a client or an assignment, a reply or a
 * receipt on one, a journal entry, a plan draft) is answered LOA_TOO_LOW with a Swedish reason,
 * writes nothing and is not stored, so the same mutation is applied when pushed again at LoA3.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION, API_VERSION_HEADER, PushResponse, swedishDate, type Mutation } from '#contract';
import { hashToken, newSessionToken } from '../../../server/auth/sessions';
import { openPostgres } from '../../../server/db/postgres';
import type { Db } from '../../../server/db/types';
import { createSeededDatabase, type TestDatabase } from '../../support/postgres';
import { startSyncHarness, SYNC_PEOPLE, type Session, type SyncHarness } from '../../unit/server/sync-suite';

let database: TestDatabase;
let db: Db;
let h: SyncHarness;
let anna: Session; // card, LoA3: Hemtjänst Majorna
let olof: Session; // card, LoA3: both units
let annaLoa2: string; // Anna again, through the identity provider at LoA2

beforeAll(async () => {
  database = await createSeededDatabase('loa2push');
  db = await openPostgres({ connectionString: database.url, maxConnections: 10 });
  h = await startSyncHarness(db);
  [anna, olof] = [await h.login('anna'), await h.login('olof')];
  // Opened as server/auth/oidc.ts opens an LoA2 login (the IdP itself: test/unit/server/oidc.test.ts).
  annaLoa2 = newSessionToken();
  await db.query(
    `INSERT INTO auth_sessions (token_hash, staff_id, hsa_id, created_at, expires_at, absolute_expires_at, auth_method, loa)
     SELECT $1, id, hsa_id, now(), now() + interval '1 hour', now() + interval '12 hours', 'oidc', 2 FROM staff WHERE hsa_id = $2`,
    [hashToken(annaLoa2), SYNC_PEOPLE.anna.hsaId],
  );
}, 120_000);
afterAll(async () => {
  await h?.app.close();
  await db?.close();
  await database?.drop();
});

const pushLoa2 = async (...mutations: Mutation[]) => {
  const r = await h.app.inject({
    method: 'POST',
    url: '/api/v1/sync/push',
    headers: { authorization: `Bearer ${annaLoa2}`, 'x-workstation': 'WS-LOA2', [API_VERSION_HEADER]: String(API_VERSION) },
    payload: { mutations },
  });
  return { status: r.statusCode, body: r.json() as unknown };
};
const base = () => ({ mutationId: randomUUID(), createdAt: new Date().toISOString() });
const newThread = (record: { clientId?: string | null; assignmentId?: string | null; participantIds?: string[]; subject?: string }): Extract<Mutation, { type: 'message_thread.create' }> => ({
  ...base(),
  type: 'message_thread.create',
  record: { id: randomUUID(), unitId: h.units.hemtjanst, subject: record.subject ?? 'Schemat i december', clientId: record.clientId ?? null, assignmentId: record.assignmentId ?? null, toUnit: false, participantIds: record.participantIds ?? [olof.staffId] },
});
const send = (threadId: string, text: string): Extract<Mutation, { type: 'message.send' }> => ({ ...base(), type: 'message.send', record: { id: randomUUID(), threadId, text } });
const markRead = (id: string): Mutation => ({ ...base(), type: 'message.mark_read', record: { id } });
const journalEntry = (clientId: string): Mutation => ({
  ...base(),
  type: 'journal_entry.create',
  record: { id: randomUUID(), clientId, eventDate: swedishDate(), text: 'Skrivet på nivå 2.', lifeArea: null, assignmentId: null, correctsId: null },
});
const planDraft = (clientId: string): Mutation => ({
  ...base(),
  type: 'plan.save_draft',
  record: {
    id: randomUUID(),
    clientId,
    baseRevision: 0,
    basedOnVersionId: null,
    content: {
      assignmentIds: [],
      clientGoals: 'Bo kvar hemma.',
      areas: [{ lifeArea: 'self_care', needs: 'Stöd vid dusch.', goals: [{ id: randomUUID(), text: 'Duscha själv' }] }],
      activities: [],
      participation: 'Brukaren formulerade målen.',
      othersPresent: [],
      cooperation: '',
      followUp: { date: swedishDate(), how: 'Samtal.' },
    },
  },
});
const held = (result: unknown) =>
  expect(result).toMatchObject({ status: 'refused', error: { code: 'LOA_TOO_LOW', message: expect.stringMatching(/brukaruppgifter.*kräver en högre tillitsnivå.*SITHS-kortet/) as unknown } });
/** What the database holds of these ids: rows in the tables written, stored answers, access-log rows. */
const traces = async (ids: string[], mutationIds: string[]) => {
  const { rows } = await db.query<{ n: string }>(
    `SELECT (SELECT count(*) FROM message_threads WHERE id = ANY($1::uuid[])) + (SELECT count(*) FROM messages WHERE id = ANY($1::uuid[]))
          + (SELECT count(*) FROM journal_entries WHERE id = ANY($1::uuid[])) + (SELECT count(*) FROM plans WHERE id = ANY($1::uuid[]))
          + (SELECT count(*) FROM access_log WHERE record_id = ANY($1::text[]))
          + (SELECT count(*) FROM applied_mutations WHERE mutation_id = ANY($2::uuid[])) AS n`,
    [ids, mutationIds],
  );
  return Number(rows[0]!.n);
};

describe('an LoA2 session writes messages without client data through the push, and nothing else', { timeout: 60_000 }, () => {
  it('a thread without client or assignment, its message and a reply to it: applied, access-logged, and in the recipient’s feed', async () => {
    const thread = newThread({ subject: 'Byta pass på lördag?' });
    const first = send(thread.record.id, 'Kan du byta pass med mig på lördag?');
    const r = await pushLoa2(thread, first);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(PushResponse.parse(r.body).results.map((x) => x.status)).toEqual(['applied', 'applied']);

    const feed = (await olof.pull({}, 5000)).changes.map((c) => c.id);
    expect(feed).toContain(thread.record.id);
    expect(feed).toContain(first.record.id);

    // Olof answers (LoA3, card); Anna, still at LoA2, marks it read and replies on the same thread.
    const answer = send(thread.record.id, 'Ja, det går bra.');
    expect((await olof.push(answer)).results[0]!.status).toBe('applied');
    const reply = send(thread.record.id, 'Tack!');
    const r2 = PushResponse.parse((await pushLoa2(markRead(answer.record.id), reply)).body);
    expect(r2.results.map((x) => x.status)).toEqual(['applied', 'applied']);
    const { rows: reads } = await db.query('SELECT 1 FROM message_reads WHERE message_id = $1 AND staff_id = $2', [answer.record.id, anna.staffId]);
    expect(reads).toHaveLength(1);
    expect((await olof.pull({}, 5000)).changes.map((c) => c.id)).toContain(reply.record.id);

    const { rows: logged } = await db.query<{ record_id: string; actor_staff_id: string; action: string }>(
      'SELECT record_id, actor_staff_id, action FROM access_log WHERE record_id = ANY($1::text[]) AND workstation = $2',
      [[thread.record.id, first.record.id, reply.record.id], 'WS-LOA2'],
    );
    expect(logged.map((l) => l.record_id).sort()).toEqual([thread.record.id, first.record.id, reply.record.id].sort());
    expect(logged.every((l) => l.actor_staff_id === anna.staffId && l.action === 'change')).toBe(true);
  });

  it('a thread about a client or an assignment, a reply or receipt on one, a journal entry and a plan draft are held with LOA_TOO_LOW: nothing written, nothing stored', async () => {
    const clientId = await h.client('hemtjanst');
    const { rows } = await db.query<{ id: string }>('SELECT id FROM assignments WHERE unit_id = $1 ORDER BY id LIMIT 1', [h.units.hemtjanst]);
    const assignmentId = rows[0]!.id;
    // A thread about a client, started by Anna with her card (LoA3): she is in it, it is hers to read.
    const clientThread = newThread({ clientId, subject: 'Om brukarens larm' });
    const clientMessage = send(clientThread.record.id, 'Larmet har gått två gånger.');
    expect((await olof.push({ ...clientThread, record: { ...clientThread.record, participantIds: [anna.staffId] } }, clientMessage)).results.map((x) => x.status)).toEqual(['applied', 'applied']);

    const attempts: Mutation[] = [
      newThread({ clientId }),
      newThread({ assignmentId }),
      send(clientThread.record.id, 'Svar på nivå 2.'),
      markRead(clientMessage.record.id),
      journalEntry(clientId),
      planDraft(clientId),
    ];
    // The workstation's word counts for nothing: a reply naming no client is judged by its stored thread.
    const r = await pushLoa2(...attempts);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const results = PushResponse.parse(r.body).results;
    expect(results).toHaveLength(attempts.length);
    for (const result of results) held(result);

    // (The receipt's record id is the message's, which exists: its trace is the receipt, checked below.)
    const ids = attempts.filter((m) => m.type !== 'message.mark_read').map((m) => m.record.id);
    expect(await traces(ids, attempts.map((m) => m.mutationId))).toBe(0);
    const { rows: reads } = await db.query('SELECT 1 FROM message_reads WHERE message_id = $1 AND staff_id = $2', [clientMessage.record.id, anna.staffId]);
    expect(reads).toHaveLength(0);

    // Held, not lost: the same mutations pushed again from her LoA3 (card) session are applied.
    const again = await anna.push(...attempts);
    expect(again.results, JSON.stringify(again.results)).toMatchObject(attempts.map(() => ({ status: 'applied' })));
  });

  it('in one push, the client-free message is applied and the journal entry beside it held', async () => {
    const thread = newThread({ subject: 'Personalmöte' });
    const journal = journalEntry(await h.client('hemtjanst', 1));
    const r = PushResponse.parse((await pushLoa2(journal, thread)).body);
    held(r.results[0]);
    expect(r.results[1]!.status).toBe('applied');
    expect(await traces([journal.record.id], [journal.mutationId])).toBe(0);
  });

  it('whom a thread may name: at LoA2 for a thread about no client (her colleague is listed); about a client, LOA_TOO_LOW', async () => {
    const get = async (query: string) => {
      const r = await h.app.inject({ method: 'GET', url: `/api/v1/messages/units/${h.units.hemtjanst}/recipients${query}`, headers: { authorization: `Bearer ${annaLoa2}`, 'x-workstation': 'WS-LOA2' } });
      return { status: r.statusCode, body: r.json() as { people?: { staffId: string }[]; error?: { code: string; message: string } } };
    };
    const free = await get('');
    expect(free.status, JSON.stringify(free.body)).toBe(200);
    expect(free.body.people!.map((p) => p.staffId)).toContain(olof.staffId);
    const about = await get(`?clientId=${await h.client('hemtjanst')}`);
    expect(about.status).toBe(403);
    expect(about.body.error).toMatchObject({ code: 'LOA_TOO_LOW', message: expect.stringMatching(/^Mottagare för ett samtal om en brukare .* kräver tillitsnivå 3\./) as unknown });
  });

  it('an LoA3 session is unchanged: a thread about a client, a journal entry and a plan draft are applied', async () => {
    const clientId = await h.client('hemtjanst', 2);
    const r = await anna.push(newThread({ clientId }), journalEntry(clientId), planDraft(clientId));
    expect(r.results, JSON.stringify(r.results)).toMatchObject([{ status: 'applied' }, { status: 'applied' }, { status: 'applied' }]);
  });
});
