import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppFailure } from '#contract';
import type { Queryable } from '../db/types';
import { errorBody } from './errors';

/**
 * Rate limits on what anyone can call before login (docs/security.md, "Hostile network client"):
 * per client address on the challenge and login routes, and per card (the certificate's SHA-256)
 * on login. Counted in PostgreSQL (table rate_limits), so the limit holds across server nodes;
 * fixed windows of `windowMs`. Over the limit: 429 with the error envelope and Retry-After, and one
 * warning per key and window in the log (not one per request).
 */
export interface RateLimitOptions {
  /** Requests per address and window on the challenge and login routes; default 120 (workstations may share an address). */
  perAddress?: number;
  /** Login attempts per card and window; default 20. */
  perCard?: number;
  /** Default one minute. */
  windowMs?: number;
}

export class RateLimiter {
  readonly perAddress: number;
  readonly perCard: number;
  readonly windowMs: number;

  constructor(
    private readonly db: Queryable,
    private readonly now: () => Date,
    options: RateLimitOptions = {},
  ) {
    this.perAddress = options.perAddress ?? 120;
    this.perCard = options.perCard ?? 20;
    this.windowMs = options.windowMs ?? 60_000;
  }

  /** Counts one hit of `key`; the count in this window, including it. */
  async hit(key: string): Promise<{ count: number; retryAfterS: number }> {
    const t = this.now().getTime();
    const start = new Date(t - (t % this.windowMs));
    const { rows } = await this.db.query<{ count: number }>(
      `INSERT INTO rate_limits (key, window_start, count) VALUES ($1, $2, 1)
       ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limits.count + 1 RETURNING count`,
      [key.slice(0, 200), start],
    );
    return { count: rows[0]!.count, retryAfterS: Math.ceil((start.getTime() + this.windowMs - t) / 1000) };
  }

  /**
   * Counts one hit of `key` and throws AppFailure RATE_LIMITED (details.retryAfterS) past `limit`;
   * `onFirstRefusal` is called once per key and window.
   */
  async check(key: string, limit: number, onFirstRefusal?: () => void): Promise<void> {
    const { count, retryAfterS } = await this.hit(key);
    if (count <= limit) return;
    if (count === limit + 1) onFirstRefusal?.();
    throw new AppFailure('RATE_LIMITED', 'För många försök. Vänta en stund och försök igen.', { retryAfterS });
  }

  /** Sends 429 and returns true when `key` is over `limit` in this window. */
  async refuse(request: FastifyRequest, reply: FastifyReply, key: string, limit: number): Promise<boolean> {
    const { count, retryAfterS } = await this.hit(key);
    if (count <= limit) return false;
    // Once per key and window: the first refused request (the key holds no personal data).
    if (count === limit + 1) request.log.warn({ limit: key.split(':')[0], windowMs: this.windowMs }, 'rate limit reached');
    await reply
      .code(429)
      .header('retry-after', String(retryAfterS))
      .send(errorBody('RATE_LIMITED', 'För många försök. Vänta en stund och försök igen.'));
    return true;
  }
}

/** The key anonymous failed logins are counted under (server/auth/anonymous-failures.ts). */
export const ANONYMOUS_LOGIN_FAILURES = 'anonymous_login_failed';

/** Past windows are of no use: deleted by the auth purge (server/auth/purge.ts), which first summarises the anonymous failures. */
export async function purgeRateLimits(db: Queryable, now: Date, windowMs = 60_000): Promise<number> {
  const { rows } = await db.query('DELETE FROM rate_limits WHERE window_start < $1 RETURNING 1', [new Date(now.getTime() - windowMs)]);
  return rows.length;
}

/** The per-address limit as an onRequest hook of the routes anyone can call. */
export function limitByAddress(limiter: RateLimiter, route: string) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    await limiter.refuse(request, reply, `address:${route}:${request.ip}`, limiter.perAddress);
  };
}
