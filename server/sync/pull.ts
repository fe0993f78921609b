import type { PermittedUnit } from '../../contract/auth';
import type { Change, Cursors, PullResponse, RecordType } from '../../contract/sync';
import type { Db, Queryable } from '../db/types';
import { loadAssignmentsForSync } from '../assignments/store';
import type { Assignment } from '../../contract/assignments';
import {
  CLIENT_COLUMNS,
  DAY_NOTE_COLUMNS,
  JOURNAL_COLUMNS,
  clientRecord,
  dayNoteRecord,
  journalRecord,
  type ClientRow,
  type DayNoteRow,
  type JournalRow,
} from './records';
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
export async function pullChanges(db: Db, input: PullInput): Promise<PullResponse> {
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

  const changes: Change[] = [];
  const returnedMax = new Map<string, number>();
  for (const r of rows) {
    const seq = Number(r.seq);
    returnedMax.set(r.unit_id, Math.max(returnedMax.get(r.unit_id) ?? 0, seq));
    const base = { seq, id: r.record_id, unitId: r.unit_id };
    const record = r.op === 'upsert' ? records.get(`${r.record_type}:${r.record_id}`) : undefined;
    if (record && record.unitId === r.unit_id) {
      changes.push({ ...base, op: 'upsert', ...record.change } as Change);
    } else if (Number(r.after) > 0) {
      changes.push({ ...base, op: 'delete', type: r.record_type });
    }
  }

  const cursors: Cursors = {};
  for (const [i, unitId] of unitIds.entries()) {
    const after = afters[i]!;
    const next = hasMore ? (returnedMax.get(unitId) ?? after) : (unitMax.get(unitId) ?? 0);
    cursors[unitId] = Math.max(after, next);
  }

  return {
    units: input.units,
    changes,
    cursors,
    hasMore,
    serverTime: input.now.toISOString(),
    dayNoteRetentionDays: input.dayNoteRetentionDays,
  };
}

async function maxSeqs(tx: Queryable, unitIds: string[]): Promise<Map<string, number>> {
  const { rows } = await tx.query<{ unit_id: string; max: string | number | null }>(
    'SELECT u AS unit_id, (SELECT max(seq) FROM changes WHERE unit_id = u) AS max FROM unnest($1::uuid[]) AS u',
    [unitIds],
  );
  return new Map(rows.map((r) => [r.unit_id, r.max === null ? 0 : Number(r.max)]));
}

type Loaded =
  | { unitId: string; change: { type: 'client'; record: ReturnType<typeof clientRecord> } }
  | { unitId: string; change: { type: 'journal_entry'; record: ReturnType<typeof journalRecord> } }
  | { unitId: string; change: { type: 'day_note'; record: ReturnType<typeof dayNoteRecord> } }
  | { unitId: string; change: { type: 'assignment'; record: Assignment } };

/** The current rows of the upserted records, keyed `type:id`; a day note past `notesCutoff` counts as gone. */
async function loadRecords(tx: Queryable, rows: ChangeRow[], notesCutoff: Date): Promise<Map<string, Loaded>> {
  const ids = (type: RecordType) => rows.filter((r) => r.op === 'upsert' && r.record_type === type).map((r) => r.record_id);
  const out = new Map<string, Loaded>();
  const clientIds = ids('client');
  if (clientIds.length > 0) {
    const { rows: found } = await tx.query<ClientRow>(`SELECT ${CLIENT_COLUMNS} FROM clients WHERE id = ANY($1::uuid[])`, [clientIds]);
    for (const r of found) out.set(`client:${r.id}`, { unitId: r.unit_id, change: { type: 'client', record: clientRecord(r) } });
  }
  const journalIds = ids('journal_entry');
  if (journalIds.length > 0) {
    const { rows: found } = await tx.query<JournalRow>(`SELECT ${JOURNAL_COLUMNS} FROM journal_entries WHERE id = ANY($1::uuid[])`, [journalIds]);
    for (const r of found) out.set(`journal_entry:${r.id}`, { unitId: r.unit_id, change: { type: 'journal_entry', record: journalRecord(r) } });
  }
  const noteIds = ids('day_note');
  if (noteIds.length > 0) {
    const { rows: found } = await tx.query<DayNoteRow>(
      `SELECT ${DAY_NOTE_COLUMNS} FROM day_notes WHERE id = ANY($1::uuid[]) AND created_at >= $2`,
      [noteIds, notesCutoff],
    );
    for (const r of found) out.set(`day_note:${r.id}`, { unitId: r.unit_id, change: { type: 'day_note', record: dayNoteRecord(r) } });
  }
  for (const a of await loadAssignmentsForSync(tx, ids('assignment'))) {
    out.set(`assignment:${a.id}`, { unitId: a.unitId, change: { type: 'assignment', record: a } });
  }
  return out;
}
