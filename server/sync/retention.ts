import type { Db } from '../db/types';
import type { Retention } from './kind';
import { SERVER_KINDS } from './kinds';

/** Day notes (daganteckningar) are deleted after this many days unless the server is told otherwise. */
export const DEFAULT_DAY_NOTE_RETENTION_DAYS = 90;
const DAY_MS = 24 * 3600_000;
const BATCH = 5_000;

/** Notes created before this instant are past the retention. */
export const retentionCutoff = (now: Date, retentionDays: number): Date => new Date(now.getTime() - retentionDays * DAY_MS);

export interface PurgeResult {
  deleted: number;
  /** Units that lost notes (their workstations should pull). */
  unitIds: string[];
}

/** The kinds with a retention (kinds.ts): today the day notes. */
const RETAINED = SERVER_KINDS.flatMap((k) => ('retention' in k && k.retention ? [k.retention] : []));

/**
 * Deletes the records of every kind with a retention (the day notes) older than the retention.
 * Each delete becomes a 'delete' change (by the trigger), so the next pull removes the record from
 * every workstation. One transaction per unit and batch, so a large purge never holds more than
 * one unit's change lock at a time.
 */
export async function purgeExpiredDayNotes(db: Db, now: Date, retentionDays = DEFAULT_DAY_NOTE_RETENTION_DAYS): Promise<PurgeResult> {
  const cutoff = retentionCutoff(now, retentionDays);
  let deleted = 0;
  const unitIds = new Set<string>();
  for (const kind of RETAINED) {
    const r = await purgeExpired(db, kind, cutoff);
    deleted += r.deleted;
    for (const u of r.unitIds) unitIds.add(u);
  }
  return { deleted, unitIds: [...unitIds] };
}

async function purgeExpired(db: Db, { table, column }: Retention, cutoff: Date): Promise<PurgeResult> {
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
  retentionDays: number;
  /** How often; default one hour. */
  intervalMs?: number;
  now?: () => Date;
  onPurged?: (result: PurgeResult) => void;
  onError?: (error: unknown) => void;
}

/** Runs purgeExpiredDayNotes now and then every `intervalMs` (an unref'd timer). Returns stop(). */
export function startRetentionJob(options: RetentionJobOptions): () => Promise<void> {
  const now = options.now ?? (() => new Date());
  let running: Promise<void> | undefined;
  const run = () => {
    if (running) return;
    running = purgeExpiredDayNotes(options.db, now(), options.retentionDays)
      .then((result) => {
        if (result.deleted > 0) options.onPurged?.(result);
      }, options.onError ?? (() => undefined))
      .finally(() => {
        running = undefined;
      });
  };
  run();
  const timer = setInterval(run, options.intervalMs ?? 3600_000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
