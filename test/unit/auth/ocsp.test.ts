/**
 * Revocation by OCSP against the real OpenSSL responder (`openssl ocsp -index … -reqin`) over
 * loopback (issue 19 point 7; docs/login.md, "Revocation"): a good, a revoked and an unknown
 * certificate; the configured responder over the certificate's AIA; a responder the CA did not
 * authorise; and the policy when the responder cannot be reached — a cached verified good answer
 * within the grace stands in, otherwise the login fails closed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChallengeResponse, ServerErrorBody, TEST_LOA3_POLICY_OID } from '#contract';
import { createServer } from '../../../server/app';
import { validateCertificate, type CertificateValidationOptions } from '../../../server/auth/certificate';
import { OcspClient, type OcspClientOptions } from '../../../server/auth/ocsp';
import * as x509 from '../../../server/auth/x509';
import { generateKeyPair, generateTestPki, issueOcspResponder, issuePersonCard, issuePersonCertificate, type TestPki } from '../../../tools/pki/index';
import { codeOf } from '../../support/failure';
import { freePort, OpensslOcspResponder } from '../../support/ocsp-responder';
import { authOptions, loginToken } from '../server/auth-suite';
import { demoDb } from '../server/helpers';

const person = { hsaId: 'SE2321000131-P000000000101', givenName: 'Anna', familyName: 'Lindqvist' };
let pki: TestPki;
let responder: OpensslOcspResponder;
let good: x509.X509Certificate;
let revoked: x509.X509Certificate;
let unknown: x509.X509Certificate;
/** Good in the index, but without an AIA extension: only a configured responder knows it. */
let noAia: x509.X509Certificate;
const logged: string[] = [];

async function leaf(ocspUrl: string | undefined): Promise<x509.X509Certificate> {
  const keys = await generateKeyPair('EC-P256');
  return issuePersonCertificate(pki, { ...person, publicKey: keys.publicKey, usage: 'auth', ...(ocspUrl ? { ocspUrl } : {}) });
}

const client = (o: OcspClientOptions = {}) => new OcspClient({ log: (_obj, msg) => logged.push(msg), ...o });

function options(ocsp: OcspClient, now = new Date()): CertificateValidationOptions {
  return { trustAnchors: [pki.root.cert], intermediates: [pki.personCa.cert], now, requiredPolicies: [TEST_LOA3_POLICY_OID], ocsp };
}
const ask = (certificate: x509.X509Certificate) => ({ certificate, issuer: pki.personCa.cert, now: new Date() });
const login = (cert: x509.X509Certificate, ocsp: OcspClient, now?: Date) => codeOf(validateCertificate(new Uint8Array(cert.rawData), options(ocsp, now)));

beforeAll(async () => {
  pki = await generateTestPki({ algorithm: 'EC-P256' });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  [good, revoked, unknown, noAia] = await Promise.all([leaf(url), leaf(url), leaf(url), leaf(undefined)]);
  // A delegated responder (id-kp-OCSPSigning, issued by the person CA), as SITHS's responders are.
  responder = new OpensslOcspResponder(port, pki.personCa.cert, await issueOcspResponder(pki), [
    { certificate: good, status: 'good' },
    { certificate: revoked, status: 'revoked' },
    { certificate: noAia, status: 'good' },
  ]);
  await responder.start();
}, 60_000);
afterAll(async () => responder?.close());

describe('OCSP against openssl ocsp over loopback', () => {
  it('good → the login goes on; revoked → CERT_REVOKED; not in the index (unknown) → CERT_REVOCATION_UNKNOWN', async () => {
    const ocsp = client();
    expect(await login(good, ocsp)).toBe('OK');
    expect(await login(revoked, ocsp)).toBe('CERT_REVOKED');
    expect(await login(unknown, ocsp)).toBe('CERT_REVOCATION_UNKNOWN');
    // Verified answers each (not failures to get one): the responder's own words.
    expect(await Promise.all([good, revoked, unknown].map((certificate) => ocsp.check(ask(certificate))))).toEqual(['good', 'revoked', 'unknown']);
  });

  it('asks the responder in the certificate (AIA), or the configured one; with neither it fails closed', async () => {
    expect(await login(noAia, client())).toBe('CERT_REVOCATION_UNKNOWN');
    expect(await login(noAia, client({ url: responder.url }))).toBe('OK');
  });

  it('refuses an answer signed by a responder the CA did not authorise (no id-kp-OCSPSigning), or by another CA', async () => {
    for (const signer of [await issueOcspResponder(pki, { ocspSigning: false }), await issueOcspResponder(pki, { issuer: (await generateTestPki({ algorithm: 'EC-P256' })).personCa })]) {
      const rogue = new OpensslOcspResponder(await freePort(), pki.personCa.cert, signer, [{ certificate: good, status: 'good' }]);
      await rogue.start();
      try {
        expect(await login(good, client({ url: rogue.url }))).toBe('CERT_REVOCATION_UNKNOWN');
        await expect(client({ url: rogue.url }).check(ask(good))).rejects.toThrow(/verif|authori|chain/i);
      } finally {
        await rogue.close();
      }
    }
  });

  it('an answer past its nextUpdate (the validation clock a day ahead) is no answer', async () => {
    const tomorrow = new Date(Date.now() + 24 * 3600_000);
    expect(await login(good, client(), tomorrow)).toBe('CERT_REVOCATION_UNKNOWN');
    await expect(client().check({ ...ask(good), now: tomorrow })).rejects.toThrow(/nextUpdate/);
  });

  it('responder unreachable: a cached verified good answer within the grace stands in; none, or too old, fails closed; a revoked one stays revoked', async () => {
    const ocsp = client({ graceMs: 3600_000 });
    expect(await login(good, ocsp)).toBe('OK');
    expect(await login(revoked, ocsp)).toBe('CERT_REVOKED');
    await responder.stop();
    try {
      logged.length = 0;
      expect(await login(good, ocsp)).toBe('OK');
      expect(logged).toEqual([expect.stringMatching(/cached good answer within the grace/)]);
      expect(await login(revoked, ocsp)).toBe('CERT_REVOKED');
      // Another server process (nothing cached), and the grace run out.
      expect(await login(good, client({ graceMs: 3600_000 }))).toBe('CERT_REVOCATION_UNKNOWN');
      expect(await login(good, ocsp, new Date(Date.now() + 2 * 3600_000))).toBe('CERT_REVOCATION_UNKNOWN');
      expect(await login(good, client({ graceMs: 0 }))).toBe('CERT_REVOCATION_UNKNOWN');
    } finally {
      await responder.start();
    }
  });

  it('through the login route: a revoked card is refused 401 CERT_REVOKED and the attempt is in the access log; a good card logs in', async () => {
    const port = await freePort();
    const issue = () => issuePersonCard(pki, { ...person, algorithm: 'ec', withSignatureKey: false, ocspUrl: `http://127.0.0.1:${port}/` });
    const [goodCard, revokedCard] = [await issue(), await issue()];
    const certOf = (card: typeof goodCard) => new x509.X509Certificate(card.auth.certificateChainPem[0]!);
    const cardResponder = new OpensslOcspResponder(port, pki.personCa.cert, await issueOcspResponder(pki), [
      { certificate: certOf(goodCard), status: 'good' },
      { certificate: certOf(revokedCard), status: 'revoked' },
    ]);
    await cardResponder.start();
    const db = await demoDb();
    const options = authOptions(pki);
    const app = createServer({ db, version: 'test', logger: false, auth: { ...options, trust: { ...options.trust, ocsp: client() } } });
    try {
      const attempt = async (card: typeof goodCard) => {
        const nonce = ChallengeResponse.parse((await app.inject({ method: 'POST', url: '/api/v1/auth/challenge' })).json()).nonce;
        return app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: await loginToken(card, nonce) });
      };
      const refused = await attempt(revokedCard);
      expect(refused.statusCode).toBe(401);
      expect(ServerErrorBody.parse(refused.json()).error.code).toBe('CERT_REVOKED');
      const { rows } = await db.query<{ action: string; error_code: string | null; actor_hsa_id: string | null }>(
        'SELECT action, error_code, actor_hsa_id FROM access_log ORDER BY id DESC LIMIT 1',
      );
      expect(rows[0]).toEqual({ action: 'login_failed', error_code: 'CERT_REVOKED', actor_hsa_id: person.hsaId });
      expect((await attempt(goodCard)).statusCode).toBe(200);
    } finally {
      await app.close();
      await db.close();
      await cardResponder.close();
    }
  }, 90_000);
});
