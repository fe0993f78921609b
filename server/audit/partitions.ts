import type { Queryable } from '../db/types';

/**
 * The access log's month partitions (migration 0080; docs/operations.md, "The access log:
 * partitions and retention"): this month and the next two exist, and — with a retention policy
 * (ACCESS_LOG_RETENTION_MONTHS, at least 60) — months that ended longer ago than the policy are
 * dropped, oldest first, each cut recorded in access_log_retention so that `npm run verify-log`
 * continues the chain from the last dropped row. Both run in the database as its owner (SECURITY
 * DEFINER functions the runtime role may execute), from the hourly scheduled job (one node).
 */
export interface AccessLogUpkeep {
  /** Partitions created. */
  created: number;
  /** Partitions dropped by the retention policy, oldest first. */
  dropped: string[];
}

export async function maintainAccessLog(db: Queryable, now: Date, keepMonths?: number): Promise<AccessLogUpkeep> {
  const { rows } = await db.query<{ created: number }>(
    `SELECT access_log_ensure_partitions($1::timestamptz, $1::timestamptz + interval '2 months') AS created`,
    [now],
  );
  const created = rows[0]?.created ?? 0;
  if (keepMonths === undefined) return { created, dropped: [] };
  const { rows: dropped } = await db.query<{ name: string }>('SELECT access_log_drop_expired($1::int, $2::timestamptz) AS name', [keepMonths, now]);
  return { created, dropped: dropped.map((r) => r.name) };
}
