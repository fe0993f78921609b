/**
 * Revocation (issue 25 point 7; docs/login.md, "Revocation"), through the login and renewal routes
 * on a real PostgreSQL, with the real OpenSSL OCSP responder over loopback
 * (test/support/ocsp-responder.ts):
 * - an answer signed by the issuing CA itself (RFC 6960 4.2.2.2) is accepted, not only a delegated
 *   responder's;
 * - the login's signature is verified before OCSP is asked: a forged login carrying a revoked
 *   card's certificate is SIGNATURE_INVALID and the responder hears nothing;
 * - a card revoked after login cannot renew: the renewal asks again and ends the session;
 * - every refusal carries its reason (never an empty one).
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChallengeResponse, LoginResponse, ServerErrorBody } from '#contract';
import type { CardFile } from '../../../native/softcard/card-file';
import { createServer } from '../../../server/app';
import { OcspClient } from '../../../server/auth/ocsp';
import * as x509 from '../../../server/auth/x509';
import { openPostgres, type Db } from '../../../server/db';
import { generateTestPki, issuePersonCard, type TestPki } from '../../../tools/pki/index';
import { freePort, OpensslOcspResponder } from '../../support/ocsp-responder';
import { createSeededDatabase, type TestDatabase } from '../../support/postgres';
import { authOptions, loginToken, PEOPLE } from '../../unit/server/auth-suite';
import { captureStream } from '../../unit/server/helpers';

let database: TestDatabase;
let db: Db;
let pki: TestPki;
let port: number;
let responder: OpensslOcspResponder;
let good: CardFile;
let revoked: CardFile;
let laterRevoked: CardFile;
let asked = 0;
const ocspLog: string[] = [];
const serverLog = captureStream();
let clock = new Date();
let app: FastifyInstance;

const certOf = (card: CardFile) => new x509.X509Certificate(card.auth.certificateChainPem[0]!);
/** The responder signs with the person CA's own key: no delegated responder certificate. */
async function startResponder(statuses: [CardFile, 'good' | 'revoked'][]) {
  await responder?.close();
  responder = new OpensslOcspResponder(
    port,
    pki.personCa.cert,
    pki.personCa,
    statuses.map(([card, status]) => ({ certificate: certOf(card), status })),
  );
  await responder.start();
}

beforeAll(async () => {
  database = await createSeededDatabase('revocation');
  db = await openPostgres({ connectionString: database.url });
  pki = await generateTestPki({ algorithm: 'EC-P256' });
  port = await freePort();
  const issue = (person: { hsaId: string; givenName: string; familyName: string }) =>
    issuePersonCard(pki, { ...person, algorithm: 'ec', withSignatureKey: false, ocspUrl: `http://127.0.0.1:${port}/` });
  [good, revoked, laterRevoked] = [await issue(PEOPLE.anna), await issue(PEOPLE.sara), await issue(PEOPLE.leila)];
  await startResponder([
    [good, 'good'],
    [revoked, 'revoked'],
    [laterRevoked, 'good'],
  ]);
  const ocsp = new OcspClient({
    graceMs: 3600_000,
    log: (obj, msg) => ocspLog.push(`${msg} ${JSON.stringify(obj)}`),
    fetch: (input, init) => {
      asked++;
      return fetch(input, init);
    },
  });
  const options = authOptions(pki, { now: () => clock });
  app = createServer({ db, version: 'test', logger: { stream: serverLog, level: 'warn' }, auth: { ...options, trust: { ...options.trust, ocsp } } });
  await app.ready();
}, 120_000);
afterAll(async () => {
  await app?.close();
  await responder?.close();
  await db?.close();
  await database?.drop();
});

async function login(card: CardFile, tamper?: (t: Awaited<ReturnType<typeof loginToken>>) => Promise<void>) {
  const nonce = ChallengeResponse.parse((await app.inject({ method: 'POST', url: '/api/v1/auth/challenge' })).json()).nonce;
  const token = await loginToken(card, nonce);
  await tamper?.(token);
  return app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: token });
}
const renew = (token: string) => app.inject({ method: 'POST', url: '/api/v1/auth/renew', headers: { authorization: `Bearer ${token}` } });
const codeOf = (res: { json(): unknown }) => ServerErrorBody.parse(res.json()).error;

describe('OCSP at login and renewal', () => {
  it('accepts an answer signed by the issuing CA itself, and refuses the revoked card with its reason', async () => {
    const ok = await login(good);
    expect(ok.statusCode, ok.body).toBe(200);
    const refused = await login(revoked);
    expect(refused.statusCode).toBe(401);
    expect(codeOf(refused).code).toBe('CERT_REVOKED');
    expect(codeOf(refused).message).not.toBe('');
    expect(serverLog.text()).toMatch(/"reason":"The certificate is revoked \(OCSP\)".*login or renewal refused: revocation/);
  });

  it('verifies the signature before asking OCSP: a forged login with the revoked certificate is SIGNATURE_INVALID and nobody asks the responder', async () => {
    const before = asked;
    const res = await login(revoked, async (t) => {
      t.signature = (await loginToken(revoked, 'x'.repeat(43))).signature;
    });
    expect(res.statusCode).toBe(401);
    expect(codeOf(res).code).toBe('SIGNATURE_INVALID');
    expect(asked).toBe(before);
  });

  it('a card revoked after login cannot renew: the session ends CERT_REVOKED, the refusal is in the access log', async () => {
    const res = await login(laterRevoked);
    expect(res.statusCode, res.body).toBe(200);
    const { token } = LoginResponse.parse(res.json());
    // Within the recheck interval the renewal does not ask.
    clock = new Date(clock.getTime() + 60_000);
    expect((await renew(token)).statusCode).toBe(200);
    await startResponder([
      [good, 'good'],
      [revoked, 'revoked'],
      [laterRevoked, 'revoked'],
    ]);
    clock = new Date(clock.getTime() + 6 * 60_000);
    const refused = await renew(token);
    expect(refused.statusCode).toBe(401);
    expect(codeOf(refused).code).toBe('CERT_REVOKED');
    // The session is gone.
    expect((await renew(token)).statusCode).toBe(401);
    const { rows } = await db.query<{ action: string; outcome: string; error_code: string }>(
      `SELECT action, outcome, error_code FROM access_log WHERE action = 'session_renewed' AND outcome = 'failure' ORDER BY id DESC LIMIT 1`,
    );
    expect(rows[0]).toEqual({ action: 'session_renewed', outcome: 'failure', error_code: 'CERT_REVOKED' });
  });

  it('responder unreachable at renewal: the last good answer within the grace stands in; the reason is logged, not empty', async () => {
    clock = new Date();
    const res = await login(good);
    const { token } = LoginResponse.parse(res.json());
    await responder.stop();
    ocspLog.length = 0;
    clock = new Date(clock.getTime() + 6 * 60_000);
    expect((await renew(token)).statusCode).toBe(200);
    expect(ocspLog.join('\n')).toMatch(/grace stands in \{"err":"fetch failed \(ECONNREFUSED\)"/);
    // Renewing every 6 minutes with the responder still down: past the grace (1 h from the login's answer) refused, saying why.
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof renew>> | undefined;
    for (let i = 0; i < 12 && statuses.at(-1) !== 401; i++) {
      clock = new Date(clock.getTime() + 6 * 60_000);
      last = await renew(token);
      statuses.push(last.statusCode);
    }
    expect(statuses.slice(0, -1).every((s) => s === 200)).toBe(true);
    expect(statuses.length).toBeGreaterThanOrEqual(9);
    expect(statuses.at(-1)).toBe(401);
    expect(codeOf(last!)).toEqual({ code: 'CERT_REVOCATION_UNKNOWN', message: expect.stringMatching(/could not be established: fetch failed \(ECONNREFUSED\)/) });
    await responder.start();
  });
});
