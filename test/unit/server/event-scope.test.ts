/**
 * Scope loss reaches the event stream within seconds (issue 19, point 6): a permission ended in
 * the database is NOTIFYed (migration 0010), and the server re-checks the scope of that person's
 * open streams at once, announcing the unit that went (so the workstation pulls and purges),
 * instead of at the next keep-alive (here a minute away).
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ChallengeResponse, LoginResponse } from '#contract';
import { swedishDate } from '#contract';
import { createServer } from '../../../server/app';
import type { Db } from '../../../server/db/types';
import { generateTestPki, issuePersonCard } from '../../../tools/pki/index';
import { authOptions, loginToken } from './auth-suite';
import { demoDb } from './helpers';

const ANNA = { hsaId: 'SE2321000131-P000000000101', givenName: 'Anna', familyName: 'Lindqvist' };
let db: Db;
let app: FastifyInstance;
let base: string;
let login: LoginResponse;

beforeAll(async () => {
  db = await demoDb();
  const pki = await generateTestPki();
  app = createServer({ db, version: 'test', logger: false, auth: authOptions(pki), sync: { retentionIntervalMs: false, keepAliveMs: 60_000, coalesceMs: 20 } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const card = await issuePersonCard(pki, { ...ANNA, algorithm: 'ec', withSignatureKey: false });
  const nonce = ChallengeResponse.parse((await app.inject({ method: 'POST', url: '/api/v1/auth/challenge' })).json()).nonce;
  login = LoginResponse.parse((await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: await loginToken(card, nonce) })).json());
}, 60_000);
afterAll(async () => {
  await app?.close();
  await db?.close();
});

it('announces a unit whose permission ended within seconds, not at the next keep-alive', async () => {
  const abort = new AbortController();
  const res = await fetch(`${base}/api/v1/sync/events`, { headers: { authorization: `Bearer ${login.token}` }, signal: abort.signal });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  let text = '';
  const until = async (pattern: RegExp, ms: number) => {
    const deadline = Date.now() + ms;
    while (!pattern.test(text)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`not seen within ${ms} ms: ${pattern}; got ${text}`);
      const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), left))]);
      if (chunk && !chunk.done) text += new TextDecoder().decode(chunk.value);
    }
  };
  await until(/event: ready/, 5_000);
  const unitId = login.units[0]!.unitId;
  const yesterday = swedishDate(new Date(Date.now() - 86_400_000));
  const t0 = Date.now();
  await db.query('UPDATE permissions SET valid_to = $3::date, valid_from = least(valid_from, $3::date) WHERE staff_id = $1 AND unit_id = $2', [login.user.id, unitId, yesterday]);
  await until(new RegExp(`event: changed\\ndata: \\{"unitIds":\\[[^\\]]*"${unitId}"`), 5_000);
  expect(Date.now() - t0).toBeLessThan(5_000);
  abort.abort();
});
