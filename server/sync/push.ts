import { MutationResult, type Mutation } from '#contract';
import type { AccessEvent } from '../audit/access-events';
import { SqlAccessLog } from '../audit/access-log';
import type { StaffRecord } from '../auth/staff';
import type { Db, Queryable } from '../db/types';
import { SHARED_MESSAGES, type CodeLists, type KindDecision } from './kind';
import type { PushRegistry } from './push-rules';
import { loadBatchState } from './push-state';
import { executeWrites } from './push-writes';

/**
 * Applying pushed mutations (docs/sync.md). The server is the authority: every mutation is
 * checked against the user's scope at this moment and the records as they are, then applied
 * together with its row in applied_mutations and its access-log event — or refused for good with a
 * code and a Swedish message. Either answer is stored, so the same mutationId again gets the same
 * answer and nothing is ever applied twice, even when two pushes of it race (the INSERT … ON
 * CONFLICT DO NOTHING claim waits for the other transaction).
 *
 * The rules are push-rules.ts (pure: decisions over loaded state), the loading push-state.ts, the
 * writes push-writes.ts; this module runs them over a batch.
 */
export interface PushContext {
  staff: StaffRecord;
  /** unitIds of the user's scope now. */
  scope: ReadonlySet<string>;
  now: Date;
  /** The organisation's code lists (KSI) the rules check against. */
  codes: CodeLists;
  workstation?: string;
  /** Whether the session's level opens client data (absent: it does); below it only client-free message writes are decided. */
  clientData?: boolean;
}

/** A pushed batch: the answers in order, and the units whose feed changed. */
export interface BatchOutcome {
  results: MutationResult[];
  changed: Set<string>;
  /** A failure that was not a refusal: `results` answers the mutations before it (committed); the push is a 5xx. */
  failure?: Error;
}

/**
 * Applies a push's mutations in order, in one transaction (docs/sync.md):
 * - the stored answers of mutations seen before are read in one query, the new ones claimed in one;
 * - fast path, under one SAVEPOINT: the state the rules need for the whole batch is loaded with a
 *   few set queries, every mutation decided in order without I/O, and the writes executed with one
 *   statement per run of writes of one kind;
 * - if that throws (not a refusal: refusals are decisions), the batch rolls back to its savepoint
 *   and the mutations are applied one by one, each under its own SAVEPOINT, with the same load,
 *   rules and writes: a failing mutation and the ones after it leave nothing (not even their
 *   claims), the ones before it are committed, and the failure is returned (the route answers 5xx);
 * - the seqs are read with one query, the answers stored with one UPDATE, the access-log `change`
 *   events inserted with one INSERT (the chain trigger links a multi-row insert row by row).
 */
export async function applyMutations(db: Db, rules: PushRegistry, mutations: readonly Mutation[], ctx: PushContext): Promise<BatchOutcome> {
  const changed = new Set<string>();
  const known = await storedResults(db, mutations.map((m) => m.mutationId), ctx.staff.id);
  const fresh = mutations.filter((m) => !known.has(m.mutationId));
  const decided = new Map<string, MutationResult>();
  let failure: unknown = null;
  if (fresh.length > 0) {
    await db.transaction(async (tx) => {
      // The same mutationId twice in a push is one mutation (its first place, its last content).
      const unique = [...new Map(fresh.map((m) => [m.mutationId, m])).values()];
      // Claim every new mutation in one statement; one claimed meanwhile by another push (which
      // has committed by now: the claim waits for it) answers its stored result.
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
      if (mine.length === 0) return;

      const outcome = await applyClaimed(tx, rules, mine, ctx);
      failure = outcome.failure;
      const decisions = outcome.decisions;
      const applied = decisions.filter((d) => d.status === 'applied');
      for (const d of applied) changed.add(d.unitId);
      const seqOf = await latestSeqs(tx, applied.map((d) => d.recordId));
      const answers = decisions.map((d) => ({ id: d.mutationId, result: resultOf(d, seqOf) }));
      for (const a of answers) decided.set(a.id, a.result);
      // A write held for a higher assurance level (LOA_TOO_LOW) is answered but not stored: the
      // same mutationId is applied when it is pushed again from a session that opens client data.
      const held = decisions.flatMap((d) => (d.status === 'refused' && d.code === 'LOA_TOO_LOW' ? [d.mutationId] : []));
      if (held.length > 0) await tx.query('DELETE FROM applied_mutations WHERE mutation_id = ANY($1::uuid[])', [held]);
      const stored = answers.filter((a) => !held.includes(a.id));
      if (stored.length > 0) {
        await tx.query(
          `UPDATE applied_mutations a SET result = r.result
             FROM unnest($1::uuid[], $2::jsonb[]) AS r(mutation_id, result)
            WHERE a.mutation_id = r.mutation_id`,
          [stored.map((a) => a.id), stored.map((a) => JSON.stringify(a.result))],
        );
      }
      await new SqlAccessLog(tx).recordAll(applied.filter((d) => d.write !== null).map((d) => changeEvent(d, ctx)));
    });
  }
  const results: MutationResult[] = [];
  for (const m of mutations) {
    const r = known.get(m.mutationId) ?? decided.get(m.mutationId);
    if (!r) break; // after a failure: not answered, the workstation sends it again
    results.push(r);
  }
  if (failure) return { results, changed, failure: failure instanceof Error ? failure : new Error(String(failure)) };
  return { results, changed };
}

/** Load, decide and write a run of claimed mutations (the whole batch, or one in the fallback). */
async function applyAll(tx: Queryable, rules: PushRegistry, mutations: readonly Mutation[], ctx: PushContext): Promise<KindDecision[]> {
  const state = await loadBatchState(tx, rules, mutations);
  const decisions = rules.decideBatch(mutations, state, ctx) as KindDecision[];
  await executeWrites(tx, rules, decisions.flatMap((d) => (d.status === 'applied' && d.write ? [d.write] : [])), ctx);
  return decisions;
}

/**
 * The claimed mutations: the whole batch under one savepoint, or — if that throws — one at a
 * time. Returns the decisions of what is committed (with the batch), in order, and the failure
 * that stopped the one-at-a-time run, whose mutation and the ones after it are rolled back and
 * unclaimed.
 */
async function applyClaimed(tx: Queryable, rules: PushRegistry, mine: readonly Mutation[], ctx: PushContext): Promise<{ decisions: KindDecision[]; failure: unknown }> {
  await tx.query('SAVEPOINT batch');
  try {
    const decisions = await applyAll(tx, rules, mine, ctx);
    await tx.query('RELEASE SAVEPOINT batch');
    return { decisions, failure: null };
  } catch {
    // Something the rules did not foresee (or a concurrent write): redo the batch one at a time,
    // to commit what can be and stop at the mutation that fails.
    await tx.exec('ROLLBACK TO SAVEPOINT batch; RELEASE SAVEPOINT batch');
  }
  const decisions: KindDecision[] = [];
  for (const [i, m] of mine.entries()) {
    await tx.query('SAVEPOINT mutation');
    try {
      decisions.push(...(await applyAll(tx, rules, [m], ctx)));
      await tx.query('RELEASE SAVEPOINT mutation');
    } catch (e) {
      await tx.exec('ROLLBACK TO SAVEPOINT mutation; RELEASE SAVEPOINT mutation');
      // This mutation and the ones after it leave nothing, not even their claims.
      await tx.query('DELETE FROM applied_mutations WHERE mutation_id = ANY($1::uuid[])', [mine.slice(i).map((x) => x.mutationId)]);
      return { decisions, failure: e };
    }
  }
  return { decisions, failure: null };
}

/** Each record's latest seq after the batch, in one query (the feed keeps only a record's latest change: migration 0006). */
async function latestSeqs(tx: Queryable, recordIds: readonly string[]): Promise<Map<string, number>> {
  if (recordIds.length === 0) return new Map();
  const { rows } = await tx.query<{ record_id: string; seq: string | number }>(
    'SELECT record_id, max(seq) AS seq FROM changes WHERE record_id = ANY($1::uuid[]) GROUP BY record_id',
    [[...new Set(recordIds)]],
  );
  return new Map(rows.map((r) => [r.record_id, Number(r.seq)]));
}

function resultOf(d: KindDecision, seqOf: ReadonlyMap<string, number>): MutationResult {
  if (d.status === 'refused') return { mutationId: d.mutationId, status: 'refused', error: { code: d.code, message: d.message } };
  const seq = seqOf.get(d.recordId);
  if (!seq || !Number.isInteger(seq)) throw new Error('push: no change row was written');
  return { mutationId: d.mutationId, status: 'applied', seq };
}

/** The access-log `change` event of an applied write: actor, client, record type and id; never the text. */
function changeEvent(d: Extract<KindDecision, { status: 'applied' }>, ctx: PushContext): AccessEvent {
  return {
    action: 'change',
    outcome: 'success',
    actorStaffId: ctx.staff.id,
    actorHsaId: ctx.staff.hsaId,
    ...(d.clientId ? { clientId: d.clientId } : {}),
    recordType: d.recordType,
    recordId: d.recordId,
    ...(ctx.workstation ? { workstation: ctx.workstation } : {}),
    at: ctx.now,
  };
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
      out.set(row.mutation_id, { mutationId: row.mutation_id, status: 'refused', error: { code: 'CONFLICT', message: SHARED_MESSAGES.mutationIdTaken } });
    } else {
      out.set(row.mutation_id, MutationResult.parse(typeof row.result === 'string' ? JSON.parse(row.result) : row.result));
    }
  }
  return out;
}
