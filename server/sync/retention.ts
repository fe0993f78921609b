import type { RecordType } from '#contract';
import { startScheduledJob } from '../db/schedule';
import type { Db } from '../db/types';
import type { Retention } from './kind';

const DAY_MS = 24 * 3600_000;
const BATCH = 5_000;

/** Days per kind with a retention (e.g. `{ day_note: 90 }`): the server's settings. */
export type RetentionDays = Partial<Record<RecordType, number>>;

/** A kind with a retention: its name and `retention`. */
export interface RetainedKind extends Retention {
  name: RecordType;
}

/** The kinds of `kinds` (server/kinds.ts, handed in) with a retention: today the day notes. */
export function retainedOf(kinds: readonly object[]): RetainedKind[] {
  return kinds.flatMap((k) => ('retention' in k && k.retention && 'name' in k ? [{ name: k.name as RecordType, ...(k.retention as Retention) }] : []));
}

/** Each retained kind's period: the setting when given, else the kind's default. */
export function retentionDaysOf(retained: readonly RetainedKind[], settings: RetentionDays = {}): RetentionDays {
  return Object.fromEntries(retained.map((k) => [k.name, settings[k.name] ?? k.defaultDays]));
}

/** Records created before this instant are past a retention of `retentionDays`. */
export const retentionCutoff = (now: Date, retentionDays: number): Date => new Date(now.getTime() - retentionDays * DAY_MS);

export interface PurgeResult {
  deleted: number;
  /** Units that lost records (their workstations should pull). */
  unitIds: string[];
}

/**
 * Deletes the records of every kind with a retention older than its period. Each delete becomes a
 * 'delete' change (by the trigger), so the next pull removes the record from every workstation.
 * One transaction per unit and batch, so a large purge never holds more than one unit's change
 * lock at a time.
 */
export async function purgeExpired(db: Db, retained: readonly RetainedKind[], now: Date, settings: RetentionDays = {}): Promise<PurgeResult> {
  const days = retentionDaysOf(retained, settings);
  let deleted = 0;
  const unitIds = new Set<string>();
  for (const kind of retained) {
    const r = await purgeKind(db, kind, retentionCutoff(now, days[kind.name] ?? kind.defaultDays));
    deleted += r.deleted;
    for (const u of r.unitIds) unitIds.add(u);
  }
  return { deleted, unitIds: [...unitIds] };
}

async function purgeKind(db: Db, { table, column }: Retention, cutoff: Date): Promise<PurgeResult> {
  const { rows: units } = await db.query<{ unit_id: string }>(`SELECT DISTINCT unit_id FROM ${table} WHERE ${column} < $1`, [cutoff]);
  let deleted = 0;
  const unitIds: string[] = [];
  for (const { unit_id: unitId } of units) {
    let inUnit = 0;
    for (;;) {
      const n = await db.transaction(async (tx) => {
        const { rows } = await tx.query<{ id: string }>(
          `DELETE FROM ${table} WHERE id IN (
             SELECT id FROM ${table} WHERE unit_id = $1 AND ${column} < $2 LIMIT $3
           ) RETURNING id`,
          [unitId, cutoff, BATCH],
        );
        return rows.length;
      });
      inUnit += n;
      if (n < BATCH) break;
    }
    deleted += inUnit;
    if (inUnit > 0) unitIds.push(unitId);
  }
  return { deleted, unitIds };
}

export interface RetentionJobOptions {
  db: Db;
  /** The retained kinds (retainedOf). */
  retained: readonly RetainedKind[];
  retentionDays?: RetentionDays;
  /** How often; default one hour. */
  intervalMs?: number;
  now?: () => Date;
  onPurged?: (result: PurgeResult) => void;
  /** Further upkeep on the same schedule, once across nodes, after the purge (the access log's month partitions: server/audit/partitions.ts). */
  alsoRun?: (now: Date) => Promise<void>;
  onError?: (error: unknown) => void;
}

/** Runs purgeExpired and the access log's partition upkeep now and then every `intervalMs`, on one node of all that share the database (server/db/schedule.ts). Returns stop(). */
export function startRetentionJob(options: RetentionJobOptions): () => Promise<void> {
  const now = options.now ?? (() => new Date());
  return startScheduledJob({
    db: options.db,
    name: 'retention',
    intervalMs: options.intervalMs ?? 3600_000,
    run: async () => {
      const result = await purgeExpired(options.db, options.retained, now(), options.retentionDays);
      if (result.deleted > 0) options.onPurged?.(result);
      await options.alsoRun?.(now());
    },
    onError: options.onError ?? (() => undefined),
  });
}
