import { purgeAccessEventClaims } from '../audit/access-event-claims';
import { SqlAccessLog } from '../audit/access-log';
import { startScheduledJob } from '../db/schedule';
import type { Db, Queryable } from '../db/types';
import { purgeRateLimits } from '../http/rate-limit';
import { summariseAnonymousFailures } from './anonymous-failures';

/**
 * Dead login state is deleted on a schedule (issue 19), so a flood of logins leaves no lasting
 * rows: sessions expired or revoked more than KEEP_MS ago (the access log keeps every login,
 * renewal and logout; the session row is only the live token), used or expired nonces, and the
 * second steps of password logins once expired. The same job drops the claims of access events too
 * old to be sent again (server/audit/access-event-claims.ts).
 */
const KEEP_MS = 24 * 3600_000;
export const AUTH_PURGE_INTERVAL_MS = 10 * 60_000;

export async function purgeDeadAuthState(
  db: Db | Queryable,
  now: Date,
  windowMs = 60_000,
): Promise<{ sessions: number; nonces: number; rateLimits: number; summaries: number; accessEventClaims: number }> {
  const before = new Date(now.getTime() - KEEP_MS);
  // Before the past windows go: the anonymous failed logins they counted become summary rows.
  const summaries = await summariseAnonymousFailures(db, (q) => new SqlAccessLog(q), new Date(now.getTime() - windowMs));
  const sessions = await db.query('DELETE FROM auth_sessions WHERE expires_at < $1 OR revoked_at < $1 RETURNING 1', [before]);
  const nonces = await db.query('DELETE FROM login_nonces WHERE expires_at < $1 RETURNING 1', [now]);
  // A password login's second step, used or expired (its outcome is in the access log).
  await db.query('DELETE FROM password_logins WHERE expires_at < $1', [now]);
  // Identity-provider logins under way (issue 29): the same lifetime and rule as the nonces.
  await db.query('DELETE FROM oidc_logins WHERE expires_at < $1', [now]);
  // Logout tokens' jti, kept while a replay could still pass the age check (issue 29).
  await db.query('DELETE FROM oidc_logout_tokens WHERE expires_at < $1', [now]);
  return {
    sessions: sessions.rows.length,
    nonces: nonces.rows.length,
    rateLimits: await purgeRateLimits(db, now, windowMs),
    summaries,
    accessEventClaims: await purgeAccessEventClaims(db, now),
  };
}

/** Runs the purge now and every `intervalMs`, on one node of all that share the database (server/db/schedule.ts); returns stop(). */
export function startAuthPurge(options: { db: Db | Queryable; now: () => Date; intervalMs?: number; onError: (e: unknown) => void }): () => Promise<void> {
  return startScheduledJob({
    db: options.db,
    name: 'auth_purge',
    intervalMs: options.intervalMs ?? AUTH_PURGE_INTERVAL_MS,
    run: async () => {
      await purgeDeadAuthState(options.db, options.now());
    },
    onError: options.onError,
  });
}
