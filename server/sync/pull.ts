import type { PermittedUnit } from '../../contract/auth';
import type { Cursors, PullNext, PullResponse, RecordType } from '../../contract/sync';
import type { Db, Queryable } from '../db/types';
import { loadAssignmentsForSync } from '../assignments/store';
import { CLIENT_JSON, DAY_NOTE_JSON, JOURNAL_JSON } from './records';
import { retentionCutoff } from './retention';

export const DEFAULT_PULL_LIMIT = 1000;

export interface PullInput {
  /** The user's scope now (syncScope). */
  units: PermittedUnit[];
  cursors: Cursors;
  limit?: number;
  now: Date;
  dayNoteRetentionDays: number;
}

interface ChangeRow {
  seq: string | number;
  unit_id: string;
  record_type: RecordType;
  record_id: string;
  op: 'upsert' | 'delete';
  after: string | number;
}

/**
 * A pull page: the PullResponse as JSON text (the records' JSON comes from PostgreSQL, see
 * records.ts), its `cursors` and `hasMore` (the `x-sync-next` header), and how many changes it holds.
 */
export interface PullPage {
  json: string;
  next: PullNext;
  count: number;
}

/**
 * The change feed of the user's units since their cursors (docs/sync.md):
 * - only units in `units`; cursors of other units are ignored and not returned (the workstation
 *   purges those units);
 * - per record its latest change (the feed keeps no other, migration 0006), resolved to the
 *   record as it is now: a record that is gone, moved to another unit, or a day note past
 *   the retention becomes a delete;
 * - a unit pulled from 0 gets no deletes (it holds nothing to delete);
 * - ordered by seq across units, at most `limit`; `hasMore` when more wait;
 * - new cursors: the highest seq returned for the unit, or — when nothing more waits — the unit's
 *   highest seq, so an idle unit's cursor still advances.
 * Reads in one REPEATABLE READ snapshot: changes, records and cursors agree with each other.
 */
export async function pullChanges(db: Db, input: PullInput): Promise<PullPage> {
  const limit = input.limit ?? DEFAULT_PULL_LIMIT;
  const unitIds = input.units.map((u) => u.unitId);
  const afters = unitIds.map((id) => input.cursors[id] ?? 0);

  const { rows, unitMax, records, hasMore } = await db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
    // The feed holds only the latest change of each record (migration 0006 compacts on write), so
    // the page is the first `limit` rows of each unit's (unit_id, seq) index after its cursor:
    // cost in proportion to the page, not to the feed. Without statistics (PGlite never runs
    // ANALYZE) the planner guesses a few dozen rows and reads the unit's whole remaining feed
    // through a bitmap scan and a top-N sort instead (95 ms a page at 50k changes, against 12 ms),
    // so bitmap scans are off for this one statement (set_config(..., true): this transaction
    // only; back on below). Sorts stay on: switching them off too made PostgreSQL's cost estimate
    // so high that it JIT-compiled the query, 40–90 ms a page for a 1 ms plan.
    await tx.query(`SELECT set_config('enable_bitmapscan', 'off', true)`);
    const { rows } = await tx.query<ChangeRow>(
      `SELECT ch.seq, ch.unit_id, ch.record_type, ch.record_id, ch.op, ch.after
         FROM unnest($1::uuid[], $2::bigint[]) AS c(unit_id, after)
        CROSS JOIN LATERAL (
          SELECT ch.seq, ch.unit_id, ch.record_type, ch.record_id, ch.op, c.after
            FROM changes ch
           WHERE ch.unit_id = c.unit_id AND ch.seq > c.after
             AND NOT (c.after = 0 AND ch.op = 'delete')
           ORDER BY ch.seq
           LIMIT $3) ch
        ORDER BY ch.seq
        LIMIT $3`,
      [unitIds, afters, limit + 1],
    );
    await tx.query(`SELECT set_config('enable_bitmapscan', 'on', true)`);
    const hasMore = rows.length > limit;
    const page = hasMore ? rows.slice(0, limit) : rows;
    const unitMax = hasMore ? new Map<string, number>() : await maxSeqs(tx, unitIds);
    const records = await loadRecords(tx, page, retentionCutoff(input.now, input.dayNoteRetentionDays));
    return { rows: page, unitMax, records, hasMore };
  });

  const changes: string[] = [];
  const returnedMax = new Map<string, number>();
  for (const r of rows) {
    const seq = Number(r.seq);
    returnedMax.set(r.unit_id, Math.max(returnedMax.get(r.unit_id) ?? 0, seq));
    const head = `{"seq":${seq},"id":${JSON.stringify(r.record_id)},"unitId":${JSON.stringify(r.unit_id)},`;
    const record = r.op === 'upsert' ? records.get(`${r.record_type}:${r.record_id}`) : undefined;
    if (record && record.unitId === r.unit_id) {
      changes.push(`${head}"op":"upsert","type":${JSON.stringify(r.record_type)},"record":${record.json}}`);
    } else if (Number(r.after) > 0) {
      changes.push(`${head}"op":"delete","type":${JSON.stringify(r.record_type)}}`);
    }
  }

  const cursors: Cursors = {};
  for (const [i, unitId] of unitIds.entries()) {
    const after = afters[i]!;
    const next = hasMore ? (returnedMax.get(unitId) ?? after) : (unitMax.get(unitId) ?? 0);
    cursors[unitId] = Math.max(after, next);
  }

  const rest: Omit<PullResponse, 'changes'> = {
    units: input.units,
    cursors,
    hasMore,
    serverTime: input.now.toISOString(),
    dayNoteRetentionDays: input.dayNoteRetentionDays,
  };
  const envelope = JSON.stringify(rest);
  return {
    json: `{"changes":[${changes.join(',')}],${envelope.slice(1)}`,
    next: { cursors, hasMore },
    count: changes.length,
  };
}

async function maxSeqs(tx: Queryable, unitIds: string[]): Promise<Map<string, number>> {
  const { rows } = await tx.query<{ unit_id: string; max: string | number | null }>(
    'SELECT u AS unit_id, (SELECT max(seq) FROM changes WHERE unit_id = u) AS max FROM unnest($1::uuid[]) AS u',
    [unitIds],
  );
  return new Map(rows.map((r) => [r.unit_id, r.max === null ? 0 : Number(r.max)]));
}

/** A record's unit and its contract JSON text. */
interface Loaded {
  unitId: string;
  json: string;
}

/** The current rows of the upserted records as JSON, keyed `type:id`; a day note past `notesCutoff` counts as gone. */
async function loadRecords(tx: Queryable, rows: ChangeRow[], notesCutoff: Date): Promise<Map<string, Loaded>> {
  const ids = (type: RecordType) => rows.filter((r) => r.op === 'upsert' && r.record_type === type).map((r) => r.record_id);
  const out = new Map<string, Loaded>();
  const load = async (type: RecordType, json: string, from: string, extra = '', params: unknown[] = []) => {
    const wanted = ids(type);
    if (wanted.length === 0) return;
    const { rows: found } = await tx.query<{ id: string; unit_id: string; json: string }>(
      `SELECT id, unit_id, ${json} AS json FROM ${from} WHERE id = ANY($1::uuid[])${extra}`,
      [wanted, ...params],
    );
    for (const r of found) out.set(`${type}:${r.id}`, { unitId: r.unit_id, json: r.json });
  };
  await load('client', CLIENT_JSON, 'clients');
  await load('journal_entry', JOURNAL_JSON, 'journal_entries');
  await load('day_note', DAY_NOTE_JSON, 'day_notes', ' AND created_at >= $2', [notesCutoff]);
  // Few, and with their history: built here from the assignment store's own mapping.
  for (const a of await loadAssignmentsForSync(tx, ids('assignment'))) out.set(`assignment:${a.id}`, { unitId: a.unitId, json: JSON.stringify(a) });
  return out;
}
