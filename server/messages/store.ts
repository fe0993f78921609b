import { randomUUID } from 'node:crypto';
import { AppFailure, type MessageRecord, type MessageThreadRecord, type StartThreadBody, type ThreadDetail, type ThreadListQuery, type ThreadSummary } from '#contract';
import type { StaffRecord } from '../auth/staff';
import type { Db, Queryable } from '../db/types';
import { authorName } from '../sync/kind';
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
    const { rows: people } = await tx.query<{ id: string; name: string; title: string }>(
      "SELECT id, given_name || ' ' || family_name AS name, title FROM staff WHERE id = ANY($1::uuid[])",
      [others],
    );
    if (people.length !== others.length) throw new AppFailure('VALIDATION', MESSAGE_MESSAGES.participantMissing);
    const byId = new Map(people.map((p) => [p.id, p]));
    const participants = [
      { staffId: viewer.staff.id, name: authorName(viewer.staff), title: viewer.staff.title },
      ...others.map((id) => ({ staffId: id, name: byId.get(id)!.name, title: byId.get(id)!.title })),
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
