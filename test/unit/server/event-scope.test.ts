/**
 * Scope loss reaches the event stream within seconds (issue 19, point 6): a permission ended in
 * the database is NOTIFYed (migration 0010), and the server re-checks the scope of that person's
 * open streams at once, announcing the unit that went (so the workstation pulls and purges),
 * instead of at the next keep-alive (here a minute away). A permission that ends by the calendar
 * (its valid_to passes at midnight: no row changes, nothing is NOTIFYed) is caught by the re-check
 * each stream makes just after every Swedish midnight.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ChallengeResponse, LoginResponse, nextSwedishMidnight, swedishDate } from '#contract';
import { createServer } from '../../../server/app';
import type { Db } from '../../../server/db/types';
import { generateTestPki, issuePersonCard, type TestPki } from '../../../tools/pki/index';
import { authOptions, loginToken, PEOPLE } from './auth-suite';
import { demoDb } from './helpers';

let db: Db;
let pki: TestPki;
const apps: FastifyInstance[] = [];

/** A server on the shared database, listening on loopback, with its own clock. */
async function serverWith(now?: () => Date): Promise<{ app: FastifyInstance; base: string }> {
  const app = createServer({ db, version: 'test', logger: false, auth: authOptions(pki, now ? { now } : {}), sync: { retentionIntervalMs: false, keepAliveMs: 60_000, coalesceMs: 20 } });
  apps.push(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

async function logIn(app: FastifyInstance, person: { hsaId: string; givenName: string; familyName: string }): Promise<LoginResponse> {
  const card = await issuePersonCard(pki, { ...person, algorithm: 'ec', withSignatureKey: false });
  const nonce = ChallengeResponse.parse((await app.inject({ method: 'POST', url: '/api/v1/auth/challenge' })).json()).nonce;
  return LoginResponse.parse((await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: await loginToken(card, nonce) })).json());
}

/** The event stream of a session, read as text; `until` waits for a pattern. */
async function openStream(base: string, token: string) {
  const abort = new AbortController();
  const res = await fetch(`${base}/api/v1/sync/events`, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
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
  return { until, close: () => abort.abort(), text: () => text };
}
const changedWith = (unitId: string) => new RegExp(`event: changed\\ndata: \\{"unitIds":\\[[^\\]]*"${unitId}"`);

beforeAll(async () => {
  db = await demoDb();
  pki = await generateTestPki();
}, 60_000);
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  await db?.close();
});

it('announces a unit whose permission ended within seconds, not at the next keep-alive', async () => {
  const { app, base } = await serverWith();
  const login = await logIn(app, PEOPLE.anna);
  const stream = await openStream(base, login.token);
  await stream.until(/event: ready/, 5_000);
  const unitId = login.units[0]!.unitId;
  const yesterday = swedishDate(new Date(Date.now() - 86_400_000));
  const t0 = Date.now();
  await db.query('UPDATE permissions SET valid_to = $3::date, valid_from = least(valid_from, $3::date) WHERE staff_id = $1 AND unit_id = $2', [login.user.id, unitId, yesterday]);
  await stream.until(changedWith(unitId), 5_000);
  expect(Date.now() - t0).toBeLessThan(5_000);
  stream.close();
});

it('announces a unit whose permission ends at midnight (no row changes) within seconds of midnight', async () => {
  // The server's clock stands 4 s before the next Swedish midnight (the clock is the edge we may fake; timers run in real time).
  const offset = nextSwedishMidnight(new Date()).getTime() - 4_000 - Date.now();
  const now = () => new Date(Date.now() + offset);
  const midnight = nextSwedishMidnight(now()).getTime() - offset; // in real time
  const { app, base } = await serverWith(now);
  const sara = (await db.query<{ id: string }>('SELECT id FROM staff WHERE hsa_id = $1', [PEOPLE.sara.hsaId])).rows[0]!.id;
  const today = swedishDate(now());
  // Her permission of one unit ends today (by the server's clock), written before she logs in: nothing changes at midnight.
  const { rows } = await db.query<{ unit_id: string }>(
    `UPDATE permissions SET valid_to = $2::date, valid_from = least(valid_from, $2::date)
      WHERE id = (SELECT id FROM permissions WHERE staff_id = $1 AND (valid_to IS NULL OR valid_to >= $2::date) ORDER BY unit_id LIMIT 1)
      RETURNING unit_id::text`,
    [sara, today],
  );
  const unitId = rows[0]!.unit_id;
  const login = await logIn(app, PEOPLE.sara);
  expect(login.units.map((u) => u.unitId)).toContain(unitId);
  const stream = await openStream(base, login.token);
  await stream.until(/event: ready/, 5_000);
  expect(stream.text()).toContain(unitId);
  expect(Date.now(), 'the stream was open before midnight').toBeLessThan(midnight);
  await stream.until(changedWith(unitId), 8_000);
  // Announced after midnight, within the re-check's spread (1 s) and some slack for a loaded machine.
  expect(Date.now()).toBeGreaterThanOrEqual(midnight);
  expect(Date.now() - midnight).toBeLessThan(3_000);
  stream.close();
}, 20_000);
