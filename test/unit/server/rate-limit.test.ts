/**
 * Rate limits before login (issue 19, point 2): per client address on the challenge and login
 * routes, per card on login, counted in the database (so every node shares them); 429 with the
 * error envelope and Retry-After; one warning per flood, not one per request; the tables stay
 * bounded and the purge empties past windows.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChallengeResponse } from '#contract';
import { ServerErrorBody } from '#contract';
import { createServer } from '../../../server/app';
import { purgeDeadAuthState } from '../../../server/auth/purge';
import type { Db } from '../../../server/db/types';
import { generateTestPki, issuePersonCard, type TestPki } from '../../../tools/pki/index';
import { authOptions, loginToken } from './auth-suite';
import { captureStream, demoDb } from './helpers';

describe('rate limits on the routes anyone can call', () => {
  let db: Db;
  let app: FastifyInstance;
  let pki: TestPki;
  // 10 s into a window, so the window does not turn during the test.
  let clock = new Date(Math.floor(Date.now() / 60_000) * 60_000 + 10_000);
  const logs = captureStream();
  beforeAll(async () => {
    db = await demoDb();
    pki = await generateTestPki();
    app = createServer({
      db,
      version: 'test',
      logger: { stream: logs, level: 'warn' },
      auth: authOptions(pki, { now: () => clock, rateLimit: { perAddress: 5, perCard: 3, windowMs: 60_000 } }),
      sync: { retentionIntervalMs: false },
    });
    await app.ready();
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });
  const count = async (table: string) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;
  const challenge = (remoteAddress = '10.0.0.1') => app.inject({ method: 'POST', url: '/api/v1/auth/challenge', remoteAddress });

  it('answers 429 RATE_LIMITED past the limit per address, logs the flood once, and leaves no more nonces than it allowed', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await challenge()).statusCode);
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.slice(5).every((s) => s === 429)).toBe(true);
    const refused = await challenge();
    expect(ServerErrorBody.parse(refused.json()).error.code).toBe('RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(await count('login_nonces')).toBe(5);
    expect(logs.text().match(/rate limit reached/g)).toHaveLength(1);
    // Another address is not affected.
    expect((await challenge('10.0.0.2')).statusCode).toBe(200);
  });

  it('limits logins per card, whatever the address', async () => {
    const card = await issuePersonCard(pki, { hsaId: 'SE2321000131-P000000000101', givenName: 'Anna', familyName: 'Lindqvist', algorithm: 'ec', withSignatureKey: false });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const address = `10.1.0.${i}`;
      const nonce = ChallengeResponse.parse((await challenge(address)).json()).nonce;
      const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: address, payload: await loginToken(card, nonce) });
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });

  it('a new window admits again, and the purge deletes the past windows', async () => {
    expect(await count('rate_limits')).toBeGreaterThan(0);
    clock = new Date(clock.getTime() + 120_000);
    expect((await challenge()).statusCode).toBe(200);
    const purged = await purgeDeadAuthState(db, clock);
    expect(purged.rateLimits).toBeGreaterThan(0);
    expect(await count('rate_limits')).toBe(1);
  });
});
