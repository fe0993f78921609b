import type { AccessLog } from '../audit/access-events';
import type { Db, Queryable } from '../db/types';
import { ANONYMOUS_LOGIN_FAILURES, type RateLimiter } from '../http/rate-limit';

/**
 * Failed logins by nobody known (the certificate did not validate: no HSA-ID to tie them to) are
 * bounded in the access log (issue 25 point 5): the first of each window gets its own row, with
 * its error code and certificate hash; the rest are only counted (table rate_limits, shared by
 * every node) and become one summary row per window when the window has passed — written by the
 * auth purge (summariseAnonymousFailures): action login_failed, record_type
 * `anonymous_login_failures`, record_id the number of attempts it stands for, `at` the window's start.
 * A flood of 380 garbage logins in 20 s thus leaves two rows, not 380.
 */
export const anonymousFailureCounter =
  (limiter: RateLimiter) =>
  async (_at: Date): Promise<boolean> =>
    (await limiter.hit(ANONYMOUS_LOGIN_FAILURES)).count === 1;

export const SUMMARY_RECORD_TYPE = 'anonymous_login_failures';

/**
 * Writes the summary rows of the windows that ended before `before` and deletes their counts, in
 * one transaction (a node that crashes between the two loses nothing; two nodes never write the
 * same window twice: the DELETE … RETURNING hands each row to one of them).
 */
export async function summariseAnonymousFailures(db: Db | Queryable, accessLog: (q: Queryable) => AccessLog, before: Date): Promise<number> {
  const run = async (q: Queryable) => {
    const { rows } = await q.query<{ window_start: Date | string; count: number }>(
      'DELETE FROM rate_limits WHERE key = $1 AND window_start < $2 RETURNING window_start, count',
      [ANONYMOUS_LOGIN_FAILURES, before],
    );
    const log = accessLog(q);
    let written = 0;
    for (const r of rows.sort((a, b) => new Date(a.window_start).getTime() - new Date(b.window_start).getTime())) {
      // The first of the window has its own row already.
      if (r.count <= 1) continue;
      await log.record({ action: 'login_failed', outcome: 'failure', recordType: SUMMARY_RECORD_TYPE, recordId: String(r.count - 1), at: new Date(r.window_start) });
      written++;
    }
    return written;
  };
  return 'transaction' in db ? db.transaction(run) : run(db);
}
