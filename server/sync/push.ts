import type { ErrorCode } from '../../contract/result';
import { MutationResult, type Mutation } from '../../contract/sync';
import { SqlAccessLog } from '../audit/access-log';
import { swedishDate, type StaffRecord } from '../auth/staff';
import type { Db, Queryable } from '../db/types';

/**
 * Applying pushed mutations (docs/sync.md). The server is the authority: every mutation is
 * checked against the user's scope at this moment and the records as they are, then applied in
 * its own transaction together with its row in applied_mutations and its access-log event — or
 * refused for good with a code and a Swedish message. Either answer is stored, so the same
 * mutationId again gets the same answer and nothing is ever applied twice, even when two pushes
 * of it race (the INSERT … ON CONFLICT DO NOTHING claim waits for the other transaction).
 */
export interface PushContext {
  staff: StaffRecord;
  /** unitIds of the user's scope now. */
  scope: ReadonlySet<string>;
  now: Date;
  workstation?: string;
}

export interface Applied {
  result: MutationResult;
  /** The unit whose feed changed (applied mutations only). */
  unitId?: string;
}

/** Refusals: permanent, shown to the user. */
class Refusal extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}
const refuse = (code: ErrorCode, message: string): never => {
  throw new Refusal(code, message);
};

export const MESSAGES = {
  clientForbidden: 'Du har inte behörighet till brukaren. Behörigheten kan ha upphört.',
  unitForbidden: 'Du har inte behörighet till enheten. Behörigheten kan ha upphört.',
  entryForbidden: 'Du har inte behörighet till journalanteckningen. Behörigheten kan ha upphört.',
  duplicateId: 'Det finns redan en annan post med samma id.',
  correctsMissing: 'Anteckningen som ska rättas finns inte hos samma brukare.',
  entryMissing: 'Journalanteckningen finns inte.',
  alreadyErroneous: 'Journalanteckningen är redan felmarkerad.',
  futureDate: 'Händelsedatumet ligger i framtiden.',
  clientNotInUnit: 'Brukaren hör inte till den valda enheten.',
  mutationIdTaken: 'Ändringens id används redan av en annan användare.',
  noteMissing: 'Daganteckningen finns inte längre (den kan ha gallrats).',
} as const;

const authorName = (s: StaffRecord) => `${s.givenName} ${s.familyName}`;

export async function applyMutation(db: Db, mutation: Mutation, ctx: PushContext): Promise<Applied> {
  const stored = await storedResult(db, mutation.mutationId, ctx.staff.id);
  if (stored) return { result: stored };

  const outcome = await db.transaction(async (tx): Promise<Applied | null> => {
    const { rows: claimed } = await tx.query(
      `INSERT INTO applied_mutations (mutation_id, staff_id, mutation_type, applied_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (mutation_id) DO NOTHING RETURNING mutation_id`,
      [mutation.mutationId, ctx.staff.id, mutation.type, ctx.now],
    );
    // Another push of the same mutation got there first (and has committed by now).
    if (claimed.length === 0) return null;
    let applied: Applied;
    try {
      applied = await apply(tx, mutation, ctx);
    } catch (e) {
      if (!(e instanceof Refusal)) throw e;
      applied = { result: { mutationId: mutation.mutationId, status: 'refused', error: { code: e.code, message: e.message } } };
    }
    await tx.query('UPDATE applied_mutations SET result = $2::jsonb WHERE mutation_id = $1', [mutation.mutationId, JSON.stringify(applied.result)]);
    return applied;
  });
  if (outcome) return outcome;
  const raced = await storedResult(db, mutation.mutationId, ctx.staff.id);
  if (!raced) throw new Error('push: the mutation was claimed by another transaction but has no stored result');
  return { result: raced };
}

async function storedResult(db: Queryable, mutationId: string, staffId: string): Promise<MutationResult | null> {
  const { rows } = await db.query<{ staff_id: string; result: unknown }>(
    'SELECT staff_id, result FROM applied_mutations WHERE mutation_id = $1 AND result IS NOT NULL',
    [mutationId],
  );
  const row = rows[0];
  if (!row) return null;
  if (row.staff_id !== staffId) {
    // Not stored: the id belongs to someone else's mutation, whose result is not ours to see.
    return { mutationId, status: 'refused', error: { code: 'CONFLICT', message: MESSAGES.mutationIdTaken } };
  }
  return MutationResult.parse(typeof row.result === 'string' ? JSON.parse(row.result) : row.result);
}

async function apply(tx: Queryable, m: Mutation, ctx: PushContext): Promise<Applied> {
  switch (m.type) {
    case 'journal_entry.create':
      return createJournalEntry(tx, m, ctx);
    case 'journal_entry.mark_erroneous':
      return markErroneous(tx, m, ctx);
    case 'day_note.create':
      return createDayNote(tx, m, ctx);
    case 'day_note.mark_summarised':
      return markSummarised(tx, m, ctx);
  }
}

async function clientInScope(tx: Queryable, clientId: string, ctx: PushContext): Promise<{ id: string; unit_id: string }> {
  const { rows } = await tx.query<{ id: string; unit_id: string }>('SELECT id, unit_id FROM clients WHERE id = $1', [clientId]);
  const client = rows[0];
  // Unknown and out of scope answer alike: a refusal does not tell whether the client exists.
  if (!client || !ctx.scope.has(client.unit_id)) return refuse('FORBIDDEN', MESSAGES.clientForbidden);
  return client;
}

async function idTakenElsewhere(tx: Queryable, id: string, table: 'journal_entries' | 'day_notes'): Promise<boolean> {
  const { rows } = await tx.query(`SELECT 1 FROM ${table} WHERE id = $1`, [id]);
  return rows.length > 0;
}

async function seqOf(tx: Queryable, recordId: string): Promise<number> {
  const { rows } = await tx.query<{ seq: string | number }>('SELECT max(seq) AS seq FROM changes WHERE record_id = $1', [recordId]);
  const seq = Number(rows[0]?.seq);
  if (!Number.isInteger(seq) || seq <= 0) throw new Error('push: no change row was written');
  return seq;
}

async function logChange(tx: Queryable, ctx: PushContext, clientId: string | null, recordType: string, recordId: string) {
  await new SqlAccessLog(tx).record({
    action: 'change',
    outcome: 'success',
    actorStaffId: ctx.staff.id,
    actorHsaId: ctx.staff.hsaId,
    ...(clientId ? { clientId } : {}),
    recordType,
    recordId,
    ...(ctx.workstation ? { workstation: ctx.workstation } : {}),
    at: ctx.now,
  });
}

const tomorrow = (now: Date) => swedishDate(new Date(now.getTime() + 24 * 3600_000));

async function createJournalEntry(tx: Queryable, m: Extract<Mutation, { type: 'journal_entry.create' }>, ctx: PushContext): Promise<Applied> {
  const r = m.record;
  const client = await clientInScope(tx, r.clientId, ctx);
  // One day of slack for a workstation clock a little ahead.
  if (r.eventDate > tomorrow(ctx.now)) refuse('VALIDATION', MESSAGES.futureDate);
  if (r.correctsId !== null) {
    const { rows } = await tx.query('SELECT 1 FROM journal_entries WHERE id = $1 AND client_id = $2', [r.correctsId, r.clientId]);
    if (rows.length === 0) refuse('NOT_FOUND', MESSAGES.correctsMissing);
  }
  if (await idTakenElsewhere(tx, r.id, 'day_notes')) refuse('CONFLICT', MESSAGES.duplicateId);
  const { rows } = await tx.query(
    `INSERT INTO journal_entries (id, client_id, unit_id, event_date, text, life_area, assignment_id, corrects_id,
                                  author_staff_id, author_hsa_id, author_name, author_title, created_at, client_created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    [r.id, client.id, client.unit_id, r.eventDate, r.text, r.lifeArea, r.assignmentId, r.correctsId,
      ctx.staff.id, ctx.staff.hsaId, authorName(ctx.staff), ctx.staff.title, ctx.now, m.createdAt],
  );
  if (rows.length === 0) refuse('CONFLICT', MESSAGES.duplicateId);
  await logChange(tx, ctx, client.id, 'journal_entry', r.id);
  return { result: { mutationId: m.mutationId, status: 'applied', seq: await seqOf(tx, r.id) }, unitId: client.unit_id };
}

async function markErroneous(tx: Queryable, m: Extract<Mutation, { type: 'journal_entry.mark_erroneous' }>, ctx: PushContext): Promise<Applied> {
  const { rows } = await tx.query<{ client_id: string; unit_id: string; marked: boolean }>(
    'SELECT client_id, unit_id, erroneous_at IS NOT NULL AS marked FROM journal_entries WHERE id = $1 FOR UPDATE',
    [m.record.id],
  );
  const entry = rows[0];
  if (!entry) return refuse('NOT_FOUND', MESSAGES.entryMissing);
  if (!ctx.scope.has(entry.unit_id)) return refuse('FORBIDDEN', MESSAGES.entryForbidden);
  if (entry.marked) return refuse('CONFLICT', MESSAGES.alreadyErroneous);
  await tx.query(
    `UPDATE journal_entries
        SET erroneous_at = $2, erroneous_by_staff_id = $3, erroneous_by_hsa_id = $4, erroneous_by_name = $5,
            erroneous_by_title = $6, erroneous_reason = $7
      WHERE id = $1`,
    [m.record.id, ctx.now, ctx.staff.id, ctx.staff.hsaId, authorName(ctx.staff), ctx.staff.title, m.record.reason],
  );
  await logChange(tx, ctx, entry.client_id, 'journal_entry', m.record.id);
  return { result: { mutationId: m.mutationId, status: 'applied', seq: await seqOf(tx, m.record.id) }, unitId: entry.unit_id };
}

async function createDayNote(tx: Queryable, m: Extract<Mutation, { type: 'day_note.create' }>, ctx: PushContext): Promise<Applied> {
  const r = m.record;
  if (!ctx.scope.has(r.unitId)) refuse('FORBIDDEN', MESSAGES.unitForbidden);
  if (r.clientId !== null) {
    const client = await clientInScope(tx, r.clientId, ctx);
    if (client.unit_id !== r.unitId) refuse('VALIDATION', MESSAGES.clientNotInUnit);
  }
  if (await idTakenElsewhere(tx, r.id, 'journal_entries')) refuse('CONFLICT', MESSAGES.duplicateId);
  const { rows } = await tx.query(
    `INSERT INTO day_notes (id, unit_id, client_id, text, author_staff_id, author_hsa_id, author_name, author_title, created_at, client_created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    [r.id, r.unitId, r.clientId, r.text, ctx.staff.id, ctx.staff.hsaId, authorName(ctx.staff), ctx.staff.title, ctx.now, m.createdAt],
  );
  if (rows.length === 0) refuse('CONFLICT', MESSAGES.duplicateId);
  await logChange(tx, ctx, r.clientId, 'day_note', r.id);
  return { result: { mutationId: m.mutationId, status: 'applied', seq: await seqOf(tx, r.id) }, unitId: r.unitId };
}

/** Only summarised_at is set (the day_notes trigger refuses any other change); marking twice keeps the first time. */
async function markSummarised(tx: Queryable, m: Extract<Mutation, { type: 'day_note.mark_summarised' }>, ctx: PushContext): Promise<Applied> {
  const { rows } = await tx.query<{ client_id: string | null; unit_id: string; summarised: boolean }>(
    'SELECT client_id, unit_id, summarised_at IS NOT NULL AS summarised FROM day_notes WHERE id = $1 FOR UPDATE',
    [m.record.id],
  );
  const note = rows[0];
  if (!note) return refuse('NOT_FOUND', MESSAGES.noteMissing);
  if (!ctx.scope.has(note.unit_id)) return refuse('FORBIDDEN', MESSAGES.unitForbidden);
  if (!note.summarised) {
    await tx.query('UPDATE day_notes SET summarised_at = $2 WHERE id = $1', [m.record.id, ctx.now]);
    await logChange(tx, ctx, note.client_id, 'day_note', m.record.id);
  }
  return { result: { mutationId: m.mutationId, status: 'applied', seq: await seqOf(tx, m.record.id) }, unitId: note.unit_id };
}
