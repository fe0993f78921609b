/**
 * A case officer's session (issue 19, point 6): she holds no unit permission by design, so
 * renewing her session keeps it alive instead of revoking it; a provider without a permission is
 * still revoked on renewal (test/unit/server/auth-suite.ts).
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChallengeResponse, RenewResponse } from '#contract';
import { createServer } from '../../../server/app';
import type { Db } from '../../../server/db/types';
import { generateTestPki, issuePersonCard } from '../../../tools/pki/index';
import { authOptions, loginToken } from './auth-suite';
import { demoDb } from './helpers';

describe("the case officer's session", () => {
  let db: Db;
  let app: FastifyInstance;
  let token: string;
  beforeAll(async () => {
    db = await demoDb();
    const pki = await generateTestPki();
    app = createServer({ db, version: 'test', logger: false, auth: authOptions(pki), sync: { retentionIntervalMs: false } });
    const card = await issuePersonCard(pki, { hsaId: 'SE2120001355-P000000000201', givenName: 'Maria', familyName: 'Ek', algorithm: 'ec', withSignatureKey: false });
    const nonce = ChallengeResponse.parse((await app.inject({ method: 'POST', url: '/api/v1/auth/challenge' })).json()).nonce;
    const login = await app.inject({ method: 'POST', url: '/api/v1/officer/auth/login', payload: await loginToken(card, nonce) });
    expect(login.statusCode, login.body).toBe(200);
    token = (login.json() as { token: string }).token;
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('is renewed, not revoked, and still works afterwards', async () => {
    const headers = { authorization: `Bearer ${token}` };
    const renew = await app.inject({ method: 'POST', url: '/api/v1/auth/renew', headers });
    expect(renew.statusCode, renew.body).toBe(200);
    RenewResponse.parse(renew.json());
    const list = await app.inject({ method: 'GET', url: '/api/v1/officer/assignments?limit=1', headers });
    expect(list.statusCode, list.body).toBe(200);
  });
});
