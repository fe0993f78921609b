import { randomBytes } from 'node:crypto';
import { NONCE_BYTES, NONCE_TTL_MS } from '#contract';
import type { SqlClient } from './sql';

/** Challenge nonces: ≥ 256 bits from the CSPRNG, valid NONCE_TTL_MS, usable exactly once. */
export interface NonceStore {
  issue(now: Date): Promise<{ nonce: string; expiresAt: Date }>;
  /** Marks the nonce used; true only for a known, unused, unexpired nonce (atomic: one winner). */
  consume(nonce: string, now: Date): Promise<boolean>;
}

export const newNonce = (): string => randomBytes(NONCE_BYTES).toString('base64url');

/** One server process (tests, single-node demo). Bounded: the oldest entries go first when full. */
export class InMemoryNonceStore implements NonceStore {
  private readonly nonces = new Map<string, number>();
  constructor(
    private readonly ttlMs = NONCE_TTL_MS,
    private readonly maxEntries = 100_000,
  ) {}

  async issue(now: Date) {
    const t = now.getTime();
    for (const [n, exp] of this.nonces) if (exp <= t) this.nonces.delete(n);
    while (this.nonces.size >= this.maxEntries) {
      const oldest = this.nonces.keys().next().value;
      if (oldest === undefined) break;
      this.nonces.delete(oldest);
    }
    const nonce = newNonce();
    const expiresAt = new Date(t + this.ttlMs);
    this.nonces.set(nonce, expiresAt.getTime());
    return { nonce, expiresAt };
  }

  async consume(nonce: string, now: Date) {
    const exp = this.nonces.get(nonce);
    if (exp === undefined) return false;
    this.nonces.delete(nonce);
    return exp > now.getTime();
  }
}

/** PostgreSQL / PGlite (table login_nonces, server/migrations/0002_auth_and_access_log.sql): works across server nodes. */
export class SqlNonceStore implements NonceStore {
  constructor(
    private readonly db: SqlClient,
    private readonly ttlMs = NONCE_TTL_MS,
  ) {}

  async issue(now: Date) {
    const nonce = newNonce();
    const expiresAt = new Date(now.getTime() + this.ttlMs);
    // Used and expired nonces are deleted by the auth purge (server/auth/purge.ts, every 10 minutes
    // on one node), not here: a DELETE at every challenge was a third round trip per challenge,
    // and at a 07:00 burst hundreds of them at once raced for the same old rows (issue 33).
    await this.db.query('INSERT INTO login_nonces (nonce, expires_at) VALUES ($1, $2)', [nonce, expiresAt]);
    return { nonce, expiresAt };
  }

  async consume(nonce: string, now: Date) {
    const { rows } = await this.db.query(
      'UPDATE login_nonces SET used_at = $2 WHERE nonce = $1 AND used_at IS NULL AND expires_at > $2 RETURNING nonce',
      [nonce, now],
    );
    return rows.length === 1;
  }
}
