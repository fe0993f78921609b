import { AppFailure } from '#contract';
import type { Queryable } from '../db/types';
import { CREATE_ID_TAKEN } from '../http/create-once';

/** Events older than this are refused (a workstation offline for longer must not backdate freely). */
export const ACCESS_EVENT_MAX_AGE_MS = 30 * 86_400_000;

/** The route's name in create_requests (migration 0050). */
const ROUTE = 'access-log.events';

/**
 * The workstation's access events at most once per event id (docs/access-log.md): the ids are
 * claimed in create_requests inside the transaction that writes the log rows, so a batch resent
 * after a lost answer, or sent twice at once (the second INSERT waits for the first to commit),
 * writes each event once. Returns the ids claimed now: the events to write. An id already used by
 * someone else or on another route is a CONFLICT (nothing is written).
 */
export async function claimAccessEvents(tx: Queryable, staffId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await tx.query<{ request_id: string }>(
    `INSERT INTO create_requests (request_id, staff_id, route, record_id, created_at)
     SELECT id, $2, $3, id::text, now() FROM unnest($1::uuid[]) AS id
     ON CONFLICT (request_id) DO NOTHING RETURNING request_id`,
    [ids, staffId, ROUTE],
  );
  const claimed = new Set(rows.map((r) => r.request_id));
  const seen = ids.filter((id) => !claimed.has(id));
  if (seen.length > 0) {
    const { rows: other } = await tx.query('SELECT 1 FROM create_requests WHERE request_id = ANY($1::uuid[]) AND (staff_id <> $2 OR route <> $3) LIMIT 1', [seen, staffId, ROUTE]);
    if (other.length > 0) throw new AppFailure('CONFLICT', CREATE_ID_TAKEN);
  }
  return claimed;
}

/**
 * Claims of access events are kept only as long as an event can be sent: older events are refused
 * anyway (ACCESS_EVENT_MAX_AGE_MS), so their claims can go (a day later, for clock skew). Returns
 * how many went.
 */
export async function purgeAccessEventClaims(db: Queryable, now: Date): Promise<number> {
  const before = new Date(now.getTime() - ACCESS_EVENT_MAX_AGE_MS - 86_400_000);
  const { rows } = await db.query('DELETE FROM create_requests WHERE route = $1 AND created_at < $2 RETURNING 1', [ROUTE, before]);
  return rows.length;
}
