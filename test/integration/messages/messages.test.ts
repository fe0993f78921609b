/**
 * Secure messages on the server (docs/messages.md) on a real PostgreSQL: the secrecy of threads
 * across units and people (API and sync feed alike), read receipts, sent messages immutable in the
 * database, a message composed offline sent exactly once from the workstation's outbox, and no
 * message text in any log line at trace level.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttachmentContent, MAX_ATTACHMENT_BYTES, RecipientsResponse, ThreadDetail, ThreadListResponse, type Mutation } from '#contract';
import { openDatabase } from '../../../main/store/connection';
import { SqlStore } from '../../../main/store/sql-store';
import { openPostgres } from '../../../server/db/postgres';
import type { Db } from '../../../server/db/types';
import { createSeededDatabase, type TestDatabase } from '../../support/postgres';
import { captureStream } from '../../unit/server/helpers';
import { pullAll, startSyncHarness, type Session, type SyncHarness } from '../../unit/server/sync-suite';
import { author, tempDir } from '../../unit/store/fixtures';

const MARKER = 'Sekretessmärke-9XK';
const log = captureStream();
let database: TestDatabase;
let db: Db;
let h: SyncHarness;
let sara: Session; // both units
let anna: Session; // Hemtjänst Majorna only
let olof: Session; // both units

beforeAll(async () => {
  database = await createSeededDatabase('messages');
  db = await openPostgres({ connectionString: database.url, maxConnections: 10 });
  h = await startSyncHarness(db, { logStream: log });
  [sara, anna, olof] = [await h.login('sara'), await h.login('anna'), await h.login('olof')];
}, 120_000);
afterAll(async () => {
  await h?.app.close();
  await db?.close();
  await database?.drop();
});

const api = async (who: Session, method: 'GET' | 'POST', url: string, payload?: object) => {
  const r = await h.app.inject({ method, url, headers: { authorization: `Bearer ${who.token}`, 'x-workstation': 'WS-MEDD' }, ...(payload ? { payload } : {}) });
  return { status: r.statusCode, body: r.json() as unknown };
};
const start = async (who: Session, body: object) => {
  const r = await api(who, 'POST', '/api/v1/messages/threads', body);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return ThreadDetail.parse(r.body);
};
const idsInFeed = async (who: Session) => new Set((await who.pull({}, 5000)).changes.map((c) => c.id));

describe('secure messages on PostgreSQL', { timeout: 60_000 }, () => {
  it('a unit-inbox thread is read by staff of that unit only: another unit’s colleague gets 404 for the thread, the inbox and its search, and nothing in the feed', async () => {
    const thread = await start(sara, { unitId: h.units.daglig, subject: 'Larm hos brukaren', clientId: await h.client('daglig'), toUnit: true, text: `Larmet har gått två gånger. ${MARKER}` });
    expect(thread.messages).toHaveLength(1);

    expect((await api(olof, 'GET', `/api/v1/messages/threads/${thread.thread.id}`)).status).toBe(200);
    expect((await api(anna, 'GET', `/api/v1/messages/threads/${thread.thread.id}`)).status).toBe(404);
    expect((await api(anna, 'GET', `/api/v1/messages/units/${h.units.daglig}/threads`)).status).toBe(404);
    expect((await api(anna, 'GET', `/api/v1/messages/units/${h.units.daglig}/threads?q=Larmet`)).status).toBe(404);
    expect((await api(anna, 'POST', `/api/v1/messages/threads/${thread.thread.id}/messages`, { text: 'Jag svarar ändå.' })).status).toBe(404);
    const annaSearch = ThreadListResponse.parse((await api(anna, 'GET', '/api/v1/messages/threads?q=Larmet')).body);
    expect(annaSearch.threads.map((t) => t.id)).not.toContain(thread.thread.id);
    const olofSearch = ThreadListResponse.parse((await api(olof, 'GET', '/api/v1/messages/threads?q=Larmet')).body);
    expect(olofSearch.threads.map((t) => t.id)).toContain(thread.thread.id);

    expect(await idsInFeed(anna)).not.toContain(thread.thread.id);
    const olofFeed = await idsInFeed(olof);
    expect(olofFeed).toContain(thread.thread.id);
    expect(olofFeed).toContain(thread.messages[0]!.id);
    // Nor through a push: a reply to it is refused as if it did not exist.
    const reply: Mutation = { mutationId: randomUUID(), createdAt: new Date().toISOString(), type: 'message.send', record: { id: randomUUID(), threadId: thread.thread.id, text: 'Svar' } };
    expect((await anna.push(reply)).results[0]).toMatchObject({ status: 'refused', error: { code: 'NOT_FOUND' } });
  });

  it('a thread between named people is theirs: a colleague of the same unit not named gets 404 and nothing in the feed', async () => {
    const thread = await start(sara, { unitId: h.units.hemtjanst, subject: 'Personligt om schemat', toUnit: false, participantIds: [olof.staffId], text: `Kan du byta pass? ${MARKER}` });
    expect(thread.thread.participants.map((p) => p.staffId)).toEqual([sara.staffId, olof.staffId]);
    expect((await api(olof, 'GET', `/api/v1/messages/threads/${thread.thread.id}`)).status).toBe(200);
    expect((await api(anna, 'GET', `/api/v1/messages/threads/${thread.thread.id}`)).status).toBe(404);
    const inbox = ThreadListResponse.parse((await api(anna, 'GET', `/api/v1/messages/units/${h.units.hemtjanst}/threads`)).body);
    expect(inbox.threads.map((t) => t.id)).not.toContain(thread.thread.id);
    expect(await idsInFeed(anna)).not.toContain(thread.messages[0]!.id);
    expect(await idsInFeed(olof)).toContain(thread.messages[0]!.id);
  });

  it('a colleague of the unit not named, pulling from her cursors, gets nothing of a new person-to-person thread: not even a delete with its id', async () => {
    const { cursors } = await pullAll(anna);
    const thread = await start(sara, { unitId: h.units.hemtjanst, subject: 'Bara mellan oss', toUnit: false, participantIds: [olof.staffId], text: 'Hemligt för övriga.' });
    const ids = [thread.thread.id, thread.messages[0]!.id];
    const annaSees = (await pullAll(anna, cursors)).changes.filter((c) => ids.includes(c.id));
    expect(annaSees).toEqual([]);
    // The participants get both records; their ids are in the feed only for them.
    const olofSees = (await olof.pull({}, 5000)).changes.filter((c) => ids.includes(c.id)).map((c) => c.op);
    expect(olofSees).toEqual(['upsert', 'upsert']);
  });

  it('read receipts: the reader’s mark (pushed from the workstation) shows the sender who read it and when; unread counts follow', async () => {
    const clientId = await h.client('hemtjanst');
    const thread = await start(sara, { unitId: h.units.hemtjanst, subject: 'Nyckel', clientId, toUnit: true, text: `Nyckeln finns hos grannen. ${MARKER}` });
    const before = ThreadListResponse.parse((await api(anna, 'GET', `/api/v1/messages/units/${h.units.hemtjanst}/threads`)).body).threads.find((t) => t.id === thread.thread.id)!;
    expect(before.unread).toBe(1);

    const messageId = thread.messages[0]!.id;
    const mark: Mutation = { mutationId: randomUUID(), createdAt: new Date().toISOString(), type: 'message.mark_read', record: { id: messageId } };
    expect((await anna.push(mark)).results[0]).toMatchObject({ status: 'applied' });
    const seen = ThreadDetail.parse((await api(sara, 'GET', `/api/v1/messages/threads/${thread.thread.id}`)).body);
    expect(seen.messages[0]!.reads).toEqual([{ staffId: anna.staffId, name: 'Anna Lindqvist', readAt: expect.any(String) }]);
    // The receipt reaches the sender's workstation through the feed too.
    const upsert = (await sara.pull({}, 5000)).changes.find((c) => c.id === messageId);
    expect(upsert).toMatchObject({ op: 'upsert', type: 'message', record: { reads: [{ staffId: anna.staffId }] } });
    const after = ThreadListResponse.parse((await api(anna, 'GET', `/api/v1/messages/units/${h.units.hemtjanst}/threads`)).body).threads.find((t) => t.id === thread.thread.id)!;
    expect(after.unread).toBe(0);

    // Opening a thread tied to a client is a read in the access log; the receipt a change.
    const { rows } = await db.query<{ action: string; record_type: string; actor_staff_id: string }>(
      'SELECT action, record_type, actor_staff_id FROM access_log WHERE client_id = $1 AND record_type LIKE $2 ORDER BY id',
      [clientId, 'message%'],
    );
    expect(rows).toEqual(expect.arrayContaining([
      { action: 'change', record_type: 'message_thread', actor_staff_id: sara.staffId },
      { action: 'change', record_type: 'message', actor_staff_id: anna.staffId },
      { action: 'read', record_type: 'message_thread', actor_staff_id: sara.staffId },
    ]));
  });

  it('an attached PDF export: checked (a PDF by its magic bytes, at most 2 MB, a thread about a client), kept for good, in the feed, opened only by who may read the thread — a read in the access log', async () => {
    const clientId = await h.client('daglig', 1);
    const thread = await start(sara, { unitId: h.units.daglig, subject: 'Journalutdrag till handläggaren', clientId, toUnit: true, text: 'Se bifogat.' });
    const pdf = Buffer.from(`%PDF-1.4\n% ${MARKER}\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n`);
    const body = { text: 'Journalutdrag bifogat.', kind: 'journal', fileName: 'journal-1a2b3c4d-2026-12-02t09-00-00-000z.pdf', content: pdf.toString('base64') };
    const url = `/api/v1/messages/threads/${thread.thread.id}/attachments`;

    expect(await api(sara, 'POST', url, { ...body, content: Buffer.from('GIF89a not a pdf').toString('base64') })).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION' } } });
    expect((await api(sara, 'POST', url, { ...body, content: Buffer.concat([pdf, Buffer.alloc(MAX_ATTACHMENT_BYTES)]).toString('base64') })).status).toBe(400);
    expect((await api(sara, 'POST', url, { ...body, fileName: 'Anna Andersson 19121212-1212.pdf' })).status).toBe(400);
    expect((await api(anna, 'POST', url, body)).status).toBe(404);
    const noClient = await start(sara, { unitId: h.units.daglig, subject: 'Utan brukare', toUnit: true, text: 'Hej.' });
    expect((await api(sara, 'POST', `/api/v1/messages/threads/${noClient.thread.id}/attachments`, body)).status).toBe(400);

    const sent = await api(sara, 'POST', url, body);
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    const message = ThreadDetail.parse(sent.body).messages.at(-1)!;
    expect(message).toMatchObject({ text: 'Journalutdrag bifogat.', attachment: { kind: 'journal', fileName: body.fileName, bytes: pdf.length } });
    const attachmentId = message.attachment!.id;

    // The recipient's workstation gets the message with its attachment in the feed; the PDF on request.
    expect((await olof.pull({}, 5000)).changes.find((c) => c.id === message.id)).toMatchObject({ op: 'upsert', record: { attachment: { id: attachmentId } } });
    const got = await api(olof, 'GET', `/api/v1/messages/attachments/${attachmentId}`);
    expect(got.status).toBe(200);
    const file = AttachmentContent.parse(got.body);
    expect(file.contentType).toBe('application/pdf');
    expect(Buffer.from(file.content, 'base64').equals(pdf)).toBe(true);
    expect((await api(anna, 'GET', `/api/v1/messages/attachments/${attachmentId}`)).status).toBe(404);
    expect((await api(anna, 'GET', `/api/v1/messages/attachments/${randomUUID()}`)).status).toBe(404);
    const { rows: logged } = await db.query('SELECT action, actor_staff_id FROM access_log WHERE client_id = $1 AND record_type = $2 AND record_id = $3', [clientId, 'message_attachment', attachmentId]);
    expect(logged).toEqual([{ action: 'read', actor_staff_id: olof.staffId }]);

    await expect(db.query('UPDATE message_attachments SET kind = $2 WHERE id = $1', [attachmentId, 'plan'])).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM message_attachments WHERE id = $1', [attachmentId])).rejects.toThrow(/append-only/);
    // Not a PDF is refused by the database itself too.
    await expect(db.query(
      `INSERT INTO message_attachments (id, message_id, thread_id, kind, file_name, bytes, content) VALUES ($1, $2, $3, 'plan', 'x.pdf', 5, '\\x3c68746d6c'::bytea)`,
      [randomUUID(), thread.messages[0]!.id, thread.thread.id],
    )).rejects.toThrow(/check constraint/);
  });

  it('recipients for a new thread: the unit’s colleagues and the case officers of its assignments, not oneself; another unit’s list is 404', async () => {
    const r = await api(anna, 'GET', `/api/v1/messages/units/${h.units.hemtjanst}/recipients`);
    expect(r.status).toBe(200);
    const people = RecipientsResponse.parse(r.body).people;
    expect(people.map((p) => p.staffId)).toEqual(expect.arrayContaining([sara.staffId, olof.staffId]));
    expect(people.map((p) => p.staffId)).not.toContain(anna.staffId);
    expect(people.filter((p) => p.kind === 'case_officer').map((p) => p.name)).toContain('Maria Ek');
    expect((await api(anna, 'GET', `/api/v1/messages/units/${h.units.daglig}/recipients`)).status).toBe(404);
  });

  it('a sent message is never changed or deleted: the database refuses it', async () => {
    const thread = await start(sara, { unitId: h.units.hemtjanst, subject: 'Oföränderligt', toUnit: true, text: 'Skickat.' });
    const id = thread.messages[0]!.id;
    await expect(db.query('UPDATE messages SET text = $2 WHERE id = $1', [id, 'Ändrat'])).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM messages WHERE id = $1', [id])).rejects.toThrow(/append-only/);
    await expect(db.query('UPDATE message_threads SET subject = $2 WHERE id = $1', [thread.thread.id, 'Ändrat'])).rejects.toThrow(/append-only/);
    await expect(db.query('TRUNCATE message_reads')).rejects.toThrow(/append-only/);
    expect((await db.query<{ text: string }>('SELECT text FROM messages WHERE id = $1', [id])).rows[0]!.text).toBe('Skickat.');
  });

  it('a thread composed offline is queued in the outbox and sent exactly once, even when the answer is lost and the batch is sent again', async () => {
    const t = tempDir('messages-');
    const store = new SqlStore(openDatabase(`${t.dir}/store.db`, Buffer.alloc(32, 9)));
    try {
      // The store knows the user's units from a first pull.
      const page = await anna.pull({}, 5000);
      store.applyPull(page);
      const now = new Date().toISOString();
      const threadId = randomUUID();
      const me = { ...author, staffId: anna.staffId };
      store.enqueue({ mutationId: randomUUID(), createdAt: now, type: 'message_thread.create', record: { id: threadId, unitId: h.units.hemtjanst, subject: 'Skrivet utan nät', clientId: null, assignmentId: null, toUnit: true, participantIds: [] } }, me);
      store.enqueue({ mutationId: randomUUID(), createdAt: now, type: 'message.send', record: { id: randomUUID(), threadId, text: `Skrivet i tunneln. ${MARKER}` } }, me);
      const local = store.read('message', 'threads', { me: anna.staffId, limit: 10 }) as { id: string; pending: number }[];
      expect(local.find((x) => x.id === threadId)).toMatchObject({ pending: 2 });

      const batch = store.outbox(100).map((e) => e.mutation);
      expect(batch.map((m) => m.type)).toEqual(['message_thread.create', 'message.send']);
      const first = await anna.push(...batch);
      const again = await anna.push(...batch); // the first answer was lost
      expect(again.results).toEqual(first.results);
      expect(first.results.every((r) => r.status === 'applied')).toBe(true);
      store.acknowledge(batch.map((m) => m.mutationId));
      expect(store.outboxCount()).toBe(0);
      expect(Number((await db.query<{ n: string }>('SELECT count(*)::text AS n FROM messages WHERE thread_id = $1', [threadId])).rows[0]!.n)).toBe(1);
    } finally {
      store.close();
      t.cleanup();
    }
  });

  it('the notice board: staff may not publish; the published notices reach each unit’s feed and the store, readable offline', async () => {
    const now = Date.now();
    const body = { title: 'Driftstopp', text: 'Systemet uppdateras.', showFrom: new Date(now).toISOString(), showUntil: new Date(now + 3_600_000).toISOString() };
    expect((await api(sara, 'POST', '/api/v1/notices', body))).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    const t = tempDir('notices-');
    const store = new SqlStore(openDatabase(`${t.dir}/store.db`, Buffer.alloc(32, 5)));
    try {
      store.applyPull(await anna.pull({}, 5000));
      const notices = store.read('notice', 'list', { now: new Date(now).toISOString() }) as { title: string; outageStart: string | null }[];
      expect(notices.map((n) => n.title)).toContain('Planerat driftstopp');
      expect(notices.find((n) => n.title === 'Planerat driftstopp')!.outageStart).not.toBeNull();
    } finally {
      store.close();
      t.cleanup();
    }
  });

  it('withdrawing a notice: only an administrator by role_grants (not staff.role) publishes and withdraws, within her grant; a workstation that had it gets a delete', async () => {
    const now = Date.now();
    const body = { title: 'Uppdatering i kväll', text: 'Kort avbrott.', showFrom: new Date(now).toISOString(), showUntil: new Date(now + 3_600_000).toISOString() };
    // A staff row saying it_contact is not a grant: refused.
    await db.query(`UPDATE staff SET role = 'it_contact' WHERE id = $1`, [olof.staffId]);
    expect(await api(olof, 'POST', '/api/v1/notices', body)).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    // Sara holds it_contact for Hemtjänst Majorna (confirmed, in force): that unit only.
    await db.query(
      `INSERT INTO role_grants (staff_id, organisation_id, unit_id, role, valid_from, confirmed_at)
       SELECT s.id, s.organisation_id, $2, 'it_contact', '2025-01-01', now() FROM staff s WHERE s.id = $1`,
      [sara.staffId, h.units.hemtjanst],
    );
    expect((await api(sara, 'POST', '/api/v1/notices', { ...body, unitIds: [h.units.daglig] })).status).toBe(404);
    const published = await api(sara, 'POST', '/api/v1/notices', { ...body, unitIds: [h.units.hemtjanst] });
    expect(published).toMatchObject({ status: 200, body: { units: 1 } });
    const noticeId = (published.body as { noticeId: string }).noticeId;

    const had = await pullAll(anna);
    const row = had.changes.find((c) => c.type === 'notice' && (c as { record?: { noticeId: string } }).record?.noticeId === noticeId);
    expect(row).toMatchObject({ op: 'upsert' });
    expect((await api(anna, 'POST', `/api/v1/notices/${noticeId}/withdraw`, {})).status).toBe(403);
    expect((await api(sara, 'POST', `/api/v1/notices/${randomUUID()}/withdraw`, {})).status).toBe(404);
    expect(await api(sara, 'POST', `/api/v1/notices/${noticeId}/withdraw`, {})).toMatchObject({ status: 200, body: { noticeId, units: 1 } });
    expect((await api(sara, 'POST', `/api/v1/notices/${noticeId}/withdraw`, {})).status).toBe(409);

    // Anna's workstation had it: a delete; a fresh one never sees it. The row stays, marked.
    expect((await pullAll(anna, had.cursors)).changes.filter((c) => c.id === row!.id)).toEqual([expect.objectContaining({ op: 'delete', type: 'notice' })]);
    expect((await pullAll(anna)).changes.map((c) => c.id)).not.toContain(row!.id);
    const { rows } = await db.query<{ withdrawn_by_staff_id: string }>('SELECT withdrawn_by_staff_id FROM notices WHERE notice_id = $1', [noticeId]);
    expect(rows).toEqual([{ withdrawn_by_staff_id: sara.staffId }]);
  });

  it('no message text in any log line: every request above was logged at trace level, none with the text', () => {
    const text = log.text();
    expect(text).toContain('/api/v1/messages/threads');
    expect(text).not.toContain(MARKER);
  });
});
