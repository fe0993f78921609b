import { randomUUID } from 'node:crypto';
import { AppFailure, MAX_ATTACHMENT_BYTES, swedishDate, type AttachBody, type AttachmentContent, type MessageRecord, type Recipient, type MessageThreadRecord, type StartThreadBody, type ThreadDetail, type ThreadListQuery, type ThreadSummary } from '#contract';
import type { StaffRecord } from '../auth/staff';
import type { Db, Queryable } from '../db/types';
import { authorName } from '../sync/kind';
import { loadCandidates, loadPlaces, refusalFor } from './audience';
import { MESSAGE_MESSAGES, messageJson, threadJson, threadVisibleSql } from './sync';

/**
 * The messages API's reads and writes (routes.ts): the same secrecy rule as the feed
 * (threadVisibleSql: a participant, or a unit-inbox thread of a unit in the caller's scope), the
 * records built by the kinds' own JSON mappings, so the API and the feed say the same.
 * A thread the caller may not read answers NOT_FOUND exactly like one that does not exist.
 */

export interface Viewer {
  staff: StaffRecord;
  /** Unit ids of the caller's permissions today. */
  scope: string[];
}

const NOT_FOUND = () => new AppFailure('NOT_FOUND', MESSAGE_MESSAGES.threadMissing);

// A function, not a constant: this module and ./sync import each other (the kind registers these routes).
const summarySql = () => `SELECT ${threadJson('th')} AS thread,
    (SELECT max(m.created_at) FROM messages m WHERE m.thread_id = th.id) AS last_at,
    (SELECT count(*) FROM messages m WHERE m.thread_id = th.id)::int AS n,
    (SELECT count(*) FROM messages m WHERE m.thread_id = th.id AND m.author_staff_id <> $1
        AND NOT EXISTS (SELECT 1 FROM message_reads r WHERE r.message_id = m.id AND r.staff_id = $1))::int AS unread
  FROM message_threads th`;

interface SummaryRow {
  thread: string;
  last_at: Date | null;
  n: number;
  unread: number;
}
const toSummary = (r: SummaryRow): ThreadSummary => {
  const thread = JSON.parse(r.thread) as MessageThreadRecord;
  return { ...thread, lastMessageAt: r.last_at ? new Date(r.last_at).toISOString() : thread.createdAt, messageCount: r.n, unread: r.unread };
};

/** The caller's threads, newest activity first; with `unitId` only that unit's inbox (NOT_FOUND outside the scope). */
export async function listThreads(db: Queryable, viewer: Viewer, q: ThreadListQuery & { unitId?: string }): Promise<ThreadSummary[]> {
  if (q.unitId !== undefined && !viewer.scope.includes(q.unitId)) throw new AppFailure('NOT_FOUND', 'Inkorgen finns inte eller är inte din.');
  const where = [threadVisibleSql('th', '$1::uuid', '$2::uuid[]')];
  const params: unknown[] = [viewer.staff.id, viewer.scope, q.limit];
  const add = (sql: (n: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (q.unitId !== undefined) add((n) => `th.to_unit AND th.unit_id = ${n}::uuid`, q.unitId);
  if (q.clientId !== undefined) add((n) => `th.client_id = ${n}::uuid`, q.clientId);
  if (q.assignmentId !== undefined) add((n) => `th.assignment_id = ${n}::uuid`, q.assignmentId);
  if (q.q !== undefined) {
    add(
      (n) => `(th.subject ILIKE '%' || replace(replace(replace(${n}, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'
        OR EXISTS (SELECT 1 FROM messages m WHERE m.thread_id = th.id AND to_tsvector('simple', m.text) @@ plainto_tsquery('simple', ${n})))`,
      q.q,
    );
  }
  const { rows } = await db.query<SummaryRow>(`${summarySql()} WHERE ${where.join(' AND ')} ORDER BY last_at DESC NULLS LAST, th.id DESC LIMIT $3`, params);
  return rows.map(toSummary);
}

/** A thread visible to the caller, with its messages (oldest first); NOT_FOUND otherwise. */
export async function readThread(db: Queryable, viewer: Viewer, id: string): Promise<ThreadDetail> {
  const { rows } = await db.query<{ thread: string }>(
    `SELECT ${threadJson('th')} AS thread FROM message_threads th WHERE th.id = $3::uuid AND ${threadVisibleSql('th', '$1::uuid', '$2::uuid[]')}`,
    [viewer.staff.id, viewer.scope, id],
  );
  if (rows.length === 0) throw NOT_FOUND();
  const { rows: messages } = await db.query<{ m: string }>(`SELECT ${messageJson('x')} AS m FROM messages x WHERE x.thread_id = $1 ORDER BY x.created_at, x.id`, [id]);
  return { thread: JSON.parse(rows[0]!.thread) as MessageThreadRecord, messages: messages.map((r) => JSON.parse(r.m) as MessageRecord) };
}

const insertMessage = (tx: Queryable, staff: StaffRecord, m: { id: string; threadId: string; unitId: string; text: string }, now: Date) =>
  tx.query(
    `INSERT INTO messages (id, thread_id, unit_id, text, author_staff_id, author_hsa_id, author_name, author_title, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [m.id, m.threadId, m.unitId, m.text, staff.id, staff.hsaId, authorName(staff), staff.title, now],
  );

/**
 * A new thread with its first message, by a case officer (any unit: the municipality's) or staff
 * (a unit of their scope). The unit is the assignment's, else the client's, else `unitId`.
 */
export async function startThread(db: Db, viewer: Viewer, body: StartThreadBody, now: Date): Promise<{ threadId: string; unitId: string; clientId: string | null }> {
  return db.transaction(async (tx) => {
    let unitId = body.unitId;
    let clientId = body.clientId;
    if (body.assignmentId !== null) {
      const { rows } = await tx.query<{ unit_id: string; client_id: string }>('SELECT unit_id, client_id FROM assignments WHERE id = $1', [body.assignmentId]);
      const a = rows[0];
      if (!a || (viewer.staff.role !== 'case_officer' && !viewer.scope.includes(a.unit_id))) throw new AppFailure('NOT_FOUND', 'Uppdraget finns inte.');
      if (clientId !== null && clientId !== a.client_id) throw new AppFailure('VALIDATION', MESSAGE_MESSAGES.assignmentMismatch);
      unitId ??= a.unit_id;
      if (unitId !== a.unit_id) throw new AppFailure('VALIDATION', MESSAGE_MESSAGES.assignmentMismatch);
      clientId = a.client_id;
    }
    if (clientId !== null) {
      const { rows } = await tx.query<{ unit_id: string }>('SELECT unit_id FROM clients WHERE id = $1', [clientId]);
      const c = rows[0];
      if (!c || (viewer.staff.role !== 'case_officer' && !viewer.scope.includes(c.unit_id))) throw new AppFailure('NOT_FOUND', 'Brukaren finns inte.');
      unitId ??= c.unit_id;
      if (unitId !== c.unit_id) throw new AppFailure('VALIDATION', 'Brukaren hör inte till den valda enheten.');
    }
    if (unitId === undefined) throw new AppFailure('VALIDATION', 'Ange enhet, brukare eller uppdrag.');
    if (viewer.staff.role !== 'case_officer' && !viewer.scope.includes(unitId)) throw new AppFailure('FORBIDDEN', 'Du har inte behörighet till enheten.');
    // A case officer may name any unit: one that does not exist is a 404, not a foreign-key error.
    if ((await tx.query('SELECT 1 FROM units WHERE id = $1', [unitId])).rows.length === 0) throw new AppFailure('NOT_FOUND', 'Enheten finns inte.');
    const others = [...new Set(body.participantIds)].filter((id) => id !== viewer.staff.id);
    if (!body.toUnit && others.length === 0) throw new AppFailure('VALIDATION', MESSAGE_MESSAGES.noRecipient);
    const people = await loadCandidates(tx, [viewer.staff.id, ...others], clientId === null ? [] : [clientId]);
    if (others.some((id) => !people.has(id))) throw new AppFailure('VALIDATION', MESSAGE_MESSAGES.participantMissing);
    // Everyone in the thread — the author too — may see what it is about (audience.ts).
    const { unitOrganisations, clientUnits } = await loadPlaces(tx, [unitId], clientId === null ? [] : [clientId]);
    const place = { organisationId: unitOrganisations.get(unitId)!, client: clientId === null ? null : { id: clientId, unitId: clientUnits.get(clientId)! } };
    const author = people.get(viewer.staff.id);
    // The author's own scope for this write stands in for her permission (a supporter's role: server/support/routes.ts).
    const authorMay = author !== undefined && (refusalFor(author, place, now) === null || (viewer.staff.role !== 'case_officer' && viewer.scope.includes(place.client?.unitId ?? unitId)));
    if (!authorMay) throw new AppFailure('NOT_FOUND', place.client ? 'Brukaren finns inte.' : 'Enheten finns inte.');
    for (const id of others) {
      const refusal = refusalFor(people.get(id)!, place, now);
      if (refusal) throw new AppFailure('VALIDATION', refusal);
    }
    const participants = [
      { staffId: viewer.staff.id, name: authorName(viewer.staff), title: viewer.staff.title },
      ...others.map((id) => ({ staffId: id, name: people.get(id)!.name, title: people.get(id)!.title })),
    ];
    const threadId = body.id ?? randomUUID();
    const { rows: inserted } = await tx.query(
      `INSERT INTO message_threads (id, unit_id, subject, client_id, assignment_id, to_unit, participant_ids, participants,
                                    author_staff_id, author_hsa_id, author_name, author_title, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7::uuid[], $8::jsonb, $9, $10, $11, $12, $13) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [threadId, unitId, body.subject, clientId, body.assignmentId, body.toUnit, participants.map((p) => p.staffId), JSON.stringify(participants),
        viewer.staff.id, viewer.staff.hsaId, authorName(viewer.staff), viewer.staff.title, now],
    );
    if (inserted.length === 0) throw new AppFailure('CONFLICT', 'Det finns redan ett samtal med samma id.');
    await insertMessage(tx, viewer.staff, { id: randomUUID(), threadId, unitId, text: body.text }, now);
    return { threadId, unitId, clientId };
  });
}

/** A reply in a thread visible to the caller; the same id again is a CONFLICT (a message is written once). */
export async function reply(db: Db, viewer: Viewer, threadId: string, m: { id?: string | undefined; text: string }, now: Date): Promise<{ clientId: string | null }> {
  return db.transaction(async (tx) => {
    const t = await visibleThread(tx, viewer, threadId);
    const { rows } = await tx.query('SELECT 1 FROM messages WHERE id = $1 UNION ALL SELECT 1 FROM message_threads WHERE id = $1', [m.id ?? randomUUID()]);
    if (rows.length > 0) throw new AppFailure('CONFLICT', 'Meddelandet finns redan.');
    await insertMessage(tx, viewer.staff, { id: m.id ?? randomUUID(), threadId, unitId: t.unit_id, text: m.text }, now);
    return { clientId: t.client_id };
  });
}

/** Receipts for every message by others in the thread the caller has not read; how many. */
export async function markThreadRead(db: Db, viewer: Viewer, threadId: string, now: Date): Promise<{ marked: number; clientId: string | null }> {
  return db.transaction(async (tx) => {
    const t = await visibleThread(tx, viewer, threadId);
    const { rows } = await tx.query(
      `INSERT INTO message_reads (message_id, staff_id, staff_name, read_at)
       SELECT m.id, $2, $3, $4 FROM messages m WHERE m.thread_id = $1 AND m.author_staff_id <> $2 ORDER BY m.created_at, m.id
       ON CONFLICT (message_id, staff_id) DO NOTHING RETURNING message_id`,
      [threadId, viewer.staff.id, authorName(viewer.staff), now],
    );
    return { marked: rows.length, clientId: t.client_id };
  });
}

async function visibleThread(tx: Queryable, viewer: Viewer, id: string) {
  const { rows } = await tx.query<{ unit_id: string; client_id: string | null }>(
    `SELECT th.unit_id, th.client_id FROM message_threads th WHERE th.id = $3::uuid AND ${threadVisibleSql('th', '$1::uuid', '$2::uuid[]')}`,
    [viewer.staff.id, viewer.scope, id],
  );
  if (rows.length === 0) throw NOT_FOUND();
  return rows[0]!;
}

// ---- attachments (migration 0022) ----

const PDF_MAGIC = Buffer.from('%PDF-');

/**
 * A message carrying a PDF the workstation produced (a journal or plan export) in a thread about a
 * client. The uploader must see the thread and hold a permission for its unit today (the export
 * was made from that unit's records); the bytes must be a PDF of at most MAX_ATTACHMENT_BYTES.
 * The message and its attachment are written in one transaction, so the feed's record of the
 * message carries the attachment from its first appearance.
 */
export async function attach(db: Db, viewer: Viewer, threadId: string, body: AttachBody, now: Date): Promise<{ clientId: string; messageId: string }> {
  const pdf = Buffer.from(body.content, 'base64');
  if (pdf.length > MAX_ATTACHMENT_BYTES) throw new AppFailure('VALIDATION', 'Bilagan är för stor (högst 2 MB).');
  if (pdf.length < PDF_MAGIC.length || !pdf.subarray(0, PDF_MAGIC.length).equals(PDF_MAGIC)) throw new AppFailure('VALIDATION', 'Bilagan är inte en PDF.');
  return db.transaction(async (tx) => {
    const t = await visibleThread(tx, viewer, threadId);
    if (t.client_id === null) throw new AppFailure('VALIDATION', 'Bara ett samtal om en brukare kan ha ett journalutdrag eller en plan bifogad.');
    if (!viewer.scope.includes(t.unit_id)) throw new AppFailure('FORBIDDEN', 'Du har inte behörighet till brukarens enhet.');
    const messageId = body.id ?? randomUUID();
    const { rows } = await tx.query('SELECT 1 FROM messages WHERE id = $1 UNION ALL SELECT 1 FROM message_threads WHERE id = $1', [messageId]);
    if (rows.length > 0) throw new AppFailure('CONFLICT', 'Meddelandet finns redan.');
    await insertMessage(tx, viewer.staff, { id: messageId, threadId, unitId: t.unit_id, text: body.text }, now);
    await tx.query(
      `INSERT INTO message_attachments (id, message_id, thread_id, kind, file_name, bytes, content, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [randomUUID(), messageId, threadId, body.kind, body.fileName, pdf.length, pdf, now],
    );
    return { clientId: t.client_id, messageId };
  });
}

/** The PDF of an attachment in a thread visible to the caller; NOT_FOUND otherwise (as for the thread). */
export async function attachment(db: Queryable, viewer: Viewer, id: string): Promise<{ content: AttachmentContent; clientId: string | null }> {
  const { rows } = await db.query<{ id: string; message_id: string; thread_id: string; kind: 'journal' | 'plan'; file_name: string; bytes: number; content: Uint8Array; client_id: string | null }>(
    `SELECT a.id, a.message_id, a.thread_id, a.kind, a.file_name, a.bytes, a.content, th.client_id
       FROM message_attachments a JOIN message_threads th ON th.id = a.thread_id
      WHERE a.id = $3::uuid AND ${threadVisibleSql('th', '$1::uuid', '$2::uuid[]')}`,
    [viewer.staff.id, viewer.scope, id],
  );
  const a = rows[0];
  if (!a) throw new AppFailure('NOT_FOUND', 'Bilagan finns inte eller är inte din.');
  return {
    clientId: a.client_id,
    content: { id: a.id, messageId: a.message_id, threadId: a.thread_id, kind: a.kind, fileName: a.file_name, bytes: a.bytes, contentType: 'application/pdf', content: Buffer.from(a.content).toString('base64') },
  };
}

/**
 * Whom a new thread in `unitId` may name: colleagues of the provider holding a permission for the
 * unit today, and the case officers who sent the unit's assignments (the municipality's people
 * the unit works with). Not the caller. NOT_FOUND outside the caller's scope. About a client (or
 * an assignment, of its client) of the unit: only the case officers of the client's assignments
 * among the officers (audience.ts: who may see the client); a client outside the unit is NOT_FOUND.
 */
export async function recipients(db: Queryable, viewer: Viewer, unitId: string, now: Date, about: { clientId?: string | undefined; assignmentId?: string | undefined } = {}): Promise<Recipient[]> {
  if (!viewer.scope.includes(unitId)) throw new AppFailure('NOT_FOUND', 'Enheten finns inte eller är inte din.');
  let clientId: string | null = null;
  if (about.clientId !== undefined || about.assignmentId !== undefined) {
    const { rows } = await db.query<{ client_id: string }>(
      `SELECT c.id AS client_id FROM clients c WHERE c.unit_id = $1 AND c.id = coalesce($2::uuid, (SELECT a.client_id FROM assignments a WHERE a.id = $3::uuid AND a.unit_id = $1))
         AND ($3::uuid IS NULL OR EXISTS (SELECT 1 FROM assignments a WHERE a.id = $3::uuid AND a.client_id = c.id))`,
      [unitId, about.clientId ?? null, about.assignmentId ?? null],
    );
    if (!rows[0]) throw new AppFailure('NOT_FOUND', 'Brukaren eller uppdraget finns inte på enheten.');
    clientId = rows[0].client_id;
  }
  const { rows } = await db.query<{ id: string; name: string; title: string; kind: 'colleague' | 'case_officer' }>(
    `SELECT id, name, title, kind FROM (
       SELECT DISTINCT s.id, s.given_name || ' ' || s.family_name AS name, s.title, 'colleague' AS kind, s.family_name, s.given_name
         FROM permissions p JOIN staff s ON s.id = p.staff_id JOIN units u ON u.id = p.unit_id
        WHERE p.unit_id = $1 AND s.organisation_id = u.organisation_id
          AND p.valid_from <= $2::date AND (p.valid_to IS NULL OR p.valid_to >= $2::date)
       UNION
       SELECT DISTINCT s.id, s.given_name || ' ' || s.family_name, s.title, 'case_officer', s.family_name, s.given_name
         FROM assignments a JOIN staff s ON s.id = a.sent_by_staff_id
        WHERE a.unit_id = $1 AND s.role = 'case_officer'
          AND ($4::uuid IS NULL OR EXISTS (SELECT 1 FROM assignments o WHERE o.client_id = $4::uuid AND o.sent_by_staff_id = s.id))) x
      WHERE id <> $3
      ORDER BY kind DESC, family_name, given_name, id`,
    [unitId, swedishDate(now), viewer.staff.id, clientId],
  );
  return rows.map((r) => ({ staffId: r.id, name: r.name, title: r.title, kind: r.kind }));
}
