import type { ErrorCode } from '../../contract/result';
import { MutationResult, type Mutation } from '../../contract/sync';
import { SqlAccessLog } from '../audit/access-log';
import type { AccessEvent } from '../auth/access-log';
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

/** A pushed batch: the answers in order, and the units whose feed changed. */
export interface BatchOutcome {
  results: MutationResult[];
  changed: Set<string>;
  /** A failure that was not a refusal: `results` answers the mutations before it (committed); the push is a 5xx. */
  failure?: Error;
}

/**
 * Applies a push's mutations in order, in one transaction with a SAVEPOINT per mutation (docs/sync.md):
 * - the stored answers of mutations seen before are read in one query;
 * - each new mutation is claimed, checked and applied under its savepoint; a refusal rolls back
 *   to it (nothing of that mutation stays but its stored refusal), the others are unaffected;
 * - the answers are stored with one UPDATE and the access-log `change` events inserted with one
 *   INSERT at the end (the chain trigger links a multi-row insert row by row), then one COMMIT.
 * Any other failure (database down, a constraint the checks did not foresee) rolls back to that
 * mutation's savepoint (and drops its claim), commits the mutations before it and is returned as
 * `failure` (the route answers HTTP 5xx): what the one-transaction-per-mutation loop did, in far
 * fewer round trips.
 */
export async function applyMutations(db: Db, mutations: readonly Mutation[], ctx: PushContext): Promise<BatchOutcome> {
  const results: MutationResult[] = [];
  const changed = new Set<string>();
  const known = await storedResults(db, mutations.map((m) => m.mutationId), ctx.staff.id);
  const fresh = mutations.filter((m) => !known.has(m.mutationId));
  const decided = new Map<string, MutationResult>();
  let failure: unknown = null;
  if (fresh.length > 0) {
    await db.transaction(async (tx) => {
      const answers: { id: string; result: MutationResult }[] = [];
      const recordOf = new Map(fresh.map((m) => [m.mutationId, m.record.id]));
      const seen = new Set<string>();
      const repeated = new Set<string>();
      for (const m of new Map(fresh.map((x) => [x.mutationId, x])).values()) (seen.has(m.record.id) ? repeated : seen).add(m.record.id);
      const events: AccessEvent[] = [];
      // Claim every new mutation in one statement; one claimed meanwhile by another push (which
      // has committed by now: the claim waits for it) answers its stored result.
      const unique = [...new Map(fresh.map((m) => [m.mutationId, m])).values()];
      const { rows: claimedRows } = await tx.query<{ mutation_id: string }>(
        `INSERT INTO applied_mutations (mutation_id, staff_id, mutation_type, applied_at)
         SELECT id, $2, type, $4 FROM unnest($1::uuid[], $3::text[]) AS m(id, type)
         ON CONFLICT (mutation_id) DO NOTHING RETURNING mutation_id`,
        [unique.map((m) => m.mutationId), ctx.staff.id, unique.map((m) => m.type), ctx.now],
      );
      const claimed = new Set(claimedRows.map((r) => r.mutation_id));
      const raced = unique.filter((m) => !claimed.has(m.mutationId)).map((m) => m.mutationId);
      if (raced.length > 0) {
        const stored = await storedResults(tx, raced, ctx.staff.id);
        for (const id of raced) {
          const r = stored.get(id);
          if (!r) throw new Error('push: the mutation was claimed by another transaction but has no stored result');
          decided.set(id, r);
        }
      }
      const mine = unique.filter((m) => claimed.has(m.mutationId));
      let open = false;
      for (const [i, m] of mine.entries()) {
        // One round trip: close the previous mutation's savepoint, open this one's.
        if (open) await tx.exec('RELEASE SAVEPOINT mutation; SAVEPOINT mutation');
        else await tx.query('SAVEPOINT mutation');
        open = true;
        const log: AccessEvent[] = [];
        let applied: Applied;
        try {
          applied = await apply(tx, m, { ...ctx, log, repeated });
          events.push(...log);
          if (applied.unitId) changed.add(applied.unitId);
        } catch (e) {
          // Undo whatever the mutation did; its claim (before the savepoint) stays.
          await tx.query('ROLLBACK TO SAVEPOINT mutation');
          if (!(e instanceof Refusal)) {
            // Not a refusal: this mutation and the ones after it leave nothing, not even their
            // claims; the ones before it are committed below.
            await tx.query('DELETE FROM applied_mutations WHERE mutation_id = ANY($1::uuid[])', [mine.slice(i).map((x) => x.mutationId)]);
            failure = e;
            break;
          }
          applied = { result: { mutationId: m.mutationId, status: 'refused', error: { code: e.code, message: e.message } } };
        }
        answers.push({ id: m.mutationId, result: applied.result });
        decided.set(m.mutationId, applied.result);
      }
      if (open) await tx.query('RELEASE SAVEPOINT mutation');
      // The seq of each applied mutation's change, in one query.
      const pendingSeq = answers.filter((a) => a.result.status === 'applied' && !repeated.has(recordOf.get(a.id)!));
      if (pendingSeq.length > 0) {
        const recordIds = pendingSeq.map((a) => recordOf.get(a.id)!);
        const { rows: seqs } = await tx.query<{ record_id: string; seq: string | number }>(
          'SELECT record_id, max(seq) AS seq FROM changes WHERE record_id = ANY($1::uuid[]) GROUP BY record_id',
          [recordIds],
        );
        const seqOf = new Map(seqs.map((r) => [r.record_id, Number(r.seq)]));
        for (const a of pendingSeq) {
          const seq = seqOf.get(recordOf.get(a.id)!);
          if (!seq || !Number.isInteger(seq)) throw new Error('push: no change row was written');
          a.result = { ...a.result, seq } as MutationResult;
          decided.set(a.id, a.result);
        }
      }
      if (answers.length > 0) {
        await tx.query(
          `UPDATE applied_mutations a SET result = r.result
             FROM unnest($1::uuid[], $2::jsonb[]) AS r(mutation_id, result)
            WHERE a.mutation_id = r.mutation_id`,
          [answers.map((a) => a.id), answers.map((a) => JSON.stringify(a.result))],
        );
      }
      if (events.length > 0) await new SqlAccessLog(tx).recordAll(events);
    });
  }
  for (const m of mutations) {
    const r = known.get(m.mutationId) ?? decided.get(m.mutationId);
    if (!r) break; // after a failure: not answered, the workstation sends it again
    results.push(r);
  }
  if (failure) return { results, changed, failure: failure instanceof Error ? failure : new Error(String(failure)) };
  return { results, changed };
}

/** The stored answers of `mutationIds` (a mutationId of another user answers CONFLICT, without its answer). */
async function storedResults(db: Queryable, mutationIds: string[], staffId: string): Promise<Map<string, MutationResult>> {
  const out = new Map<string, MutationResult>();
  if (mutationIds.length === 0) return out;
  const { rows } = await db.query<{ mutation_id: string; staff_id: string; result: unknown }>(
    'SELECT mutation_id, staff_id, result FROM applied_mutations WHERE mutation_id = ANY($1::uuid[]) AND result IS NOT NULL',
    [mutationIds],
  );
  for (const row of rows) {
    if (row.staff_id !== staffId) {
      // Not stored: the id belongs to someone else's mutation, whose result is not ours to see.
      out.set(row.mutation_id, { mutationId: row.mutation_id, status: 'refused', error: { code: 'CONFLICT', message: MESSAGES.mutationIdTaken } });
    } else {
      out.set(row.mutation_id, MutationResult.parse(typeof row.result === 'string' ? JSON.parse(row.result) : row.result));
    }
  }
  return out;
}

/** PushContext plus where a mutation's access-log events go (inserted with the batch's answers). */
type ApplyContext = PushContext & { log: AccessEvent[]; repeated: ReadonlySet<string> };

/**
 * The seq of the record's latest change, read now when the batch has several mutations of the
 * record (each must answer its own change); otherwise 0, filled in for the whole batch by one query.
 */
async function seqNow(tx: Queryable, ctx: ApplyContext, recordId: string): Promise<number> {
  if (!ctx.repeated.has(recordId)) return 0;
  const { rows } = await tx.query<{ seq: string | number }>('SELECT max(seq) AS seq FROM changes WHERE record_id = $1', [recordId]);
  const seq = Number(rows[0]?.seq);
  if (!Number.isInteger(seq) || seq <= 0) throw new Error('push: no change row was written');
  return seq;
}

async function apply(tx: Queryable, m: Mutation, ctx: ApplyContext): Promise<Applied> {
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

function logChange(ctx: ApplyContext, clientId: string | null, recordType: string, recordId: string): void {
  ctx.log.push({
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

async function createJournalEntry(tx: Queryable, m: Extract<Mutation, { type: 'journal_entry.create' }>, ctx: ApplyContext): Promise<Applied> {
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
  logChange(ctx, client.id, 'journal_entry', r.id);
  return { result: { mutationId: m.mutationId, status: 'applied', seq: await seqNow(tx, ctx, r.id) }, unitId: client.unit_id };
}

async function markErroneous(tx: Queryable, m: Extract<Mutation, { type: 'journal_entry.mark_erroneous' }>, ctx: ApplyContext): Promise<Applied> {
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
  logChange(ctx, entry.client_id, 'journal_entry', m.record.id);
  return { result: { mutationId: m.mutationId, status: 'applied', seq: await seqNow(tx, ctx, m.record.id) }, unitId: entry.unit_id };
}

async function createDayNote(tx: Queryable, m: Extract<Mutation, { type: 'day_note.create' }>, ctx: ApplyContext): Promise<Applied> {
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
  logChange(ctx, r.clientId, 'day_note', r.id);
  return { result: { mutationId: m.mutationId, status: 'applied', seq: await seqNow(tx, ctx, r.id) }, unitId: r.unitId };
}

/** Only summarised_at is set (the day_notes trigger refuses any other change); marking twice keeps the first time. */
async function markSummarised(tx: Queryable, m: Extract<Mutation, { type: 'day_note.mark_summarised' }>, ctx: ApplyContext): Promise<Applied> {
  const { rows } = await tx.query<{ client_id: string | null; unit_id: string; summarised: boolean }>(
    'SELECT client_id, unit_id, summarised_at IS NOT NULL AS summarised FROM day_notes WHERE id = $1 FOR UPDATE',
    [m.record.id],
  );
  const note = rows[0];
  if (!note) return refuse('NOT_FOUND', MESSAGES.noteMissing);
  if (!ctx.scope.has(note.unit_id)) return refuse('FORBIDDEN', MESSAGES.unitForbidden);
  if (!note.summarised) {
    await tx.query('UPDATE day_notes SET summarised_at = $2 WHERE id = $1', [m.record.id, ctx.now]);
    logChange(ctx, note.client_id, 'day_note', m.record.id);
  }
  return { result: { mutationId: m.mutationId, status: 'applied', seq: await seqNow(tx, ctx, m.record.id) }, unitId: note.unit_id };
}
