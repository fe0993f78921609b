import { describe, expect, it } from 'vitest';
import { TEST_LOA3_POLICY_OID } from '#contract';
import { validateCertificate, type CertificateValidationOptions, type OcspChecker } from '../../../server/auth/certificate';
import * as x509 from '../../../server/auth/x509';
import { issuePersonCard, issuePersonCertificate, generateKeyPair } from '../../../tools/pki/index';
import { codeOf } from '../../support/failure';
import { certificateB64, pkis } from './fixtures';

const person = { hsaId: 'SE2321000131-P000000000101', givenName: 'Anna', familyName: 'Lindqvist' };

async function options(extra: Partial<CertificateValidationOptions> = {}): Promise<CertificateValidationOptions> {
  const { trusted } = await pkis();
  return { trustAnchors: [trusted.root.cert], intermediates: [trusted.personCa.cert], now: new Date(), requiredPolicies: [TEST_LOA3_POLICY_OID], ...extra };
}

const der = (b64: string) => Buffer.from(b64, 'base64');

describe('validateCertificate', () => {
  it('accepts a card certificate that chains to the trust anchor and returns the HSA-ID', async () => {
    const { trusted } = await pkis();
    const card = await issuePersonCard(trusted, person);
    const v = await validateCertificate(der(certificateB64(card)), await options());
    expect(v.hsaId).toBe(person.hsaId);
    expect(v.givenName).toBe('Anna');
    expect(v.familyName).toBe('Lindqvist');
    expect(v.chain.map((c) => c.subjectName.getField('CN')[0])).toEqual(['Anna Lindqvist', 'TEST SITHS e-id Person HSA-id 3 CA v1', 'TEST SITHS e-id Root CA v2']);
    expect(v.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a certificate from a CA with the same names but another key (CERT_UNTRUSTED)', async () => {
    const { untrusted } = await pkis();
    const card = await issuePersonCard(untrusted, person);
    expect(await codeOf(validateCertificate(der(certificateB64(card)), await options()))).toBe('CERT_UNTRUSTED');
  });

  it('remembers only the configured CAs\' signatures: a card\'s is verified at every login, and a CA that failed keeps failing', async () => {
    const { trusted, untrusted } = await pkis();
    // One trust configuration for every call, as the server has: the look-alike CA (same names, another key) configured too.
    const opts = await options({ intermediates: [trusted.personCa.cert, untrusted.personCa.cert] });
    const good = der(certificateB64(await issuePersonCard(trusted, person)));
    const lookAlike = der(certificateB64(await issuePersonCard(untrusted, person)));
    // The same card's bytes with its signature altered (the last byte is inside the signature value).
    const forged = Buffer.from(good);
    forged[forged.length - 1] = forged.at(-1)! ^ 0x01;
    for (let round = 0; round < 2; round++) {
      expect((await validateCertificate(good, opts)).hsaId).toBe(person.hsaId);
      expect(await codeOf(validateCertificate(forged, opts))).toBe('CERT_UNTRUSTED');
      expect(await codeOf(validateCertificate(lookAlike, opts))).toBe('CERT_UNTRUSTED');
    }
    // A CA's validity is still checked at each call, remembered signature or not.
    expect(await codeOf(validateCertificate(good, { ...opts, now: new Date(Date.now() + 40 * 365 * 86_400_000) }))).toMatch(/^CERT_(UNTRUSTED|EXPIRED)$/);
  });

  it('refuses a certificate when the issuing CA is not configured (CERT_UNTRUSTED)', async () => {
    const { trusted } = await pkis();
    const card = await issuePersonCard(trusted, person);
    expect(await codeOf(validateCertificate(der(certificateB64(card)), await options({ intermediates: [] })))).toBe('CERT_UNTRUSTED');
  });

  it('refuses an issuing CA that is not valid now (CERT_UNTRUSTED)', async () => {
    const { trusted } = await pkis();
    const card = await issuePersonCard(trusted, person);
    const later = new Date(trusted.personCa.cert.notAfter.getTime() + 1000);
    expect(await codeOf(validateCertificate(der(certificateB64(card)), await options({ now: later })))).toBe('CERT_UNTRUSTED');
  });

  it('refuses garbage as a certificate (CERT_UNTRUSTED)', async () => {
    expect(await codeOf(validateCertificate(Buffer.from('not a certificate'), await options()))).toBe('CERT_UNTRUSTED');
  });

  it('refuses an expired certificate (CERT_EXPIRED) and one not yet valid (CERT_NOT_YET_VALID)', async () => {
    const { trusted } = await pkis();
    const day = 24 * 3600_000;
    const expired = await issuePersonCard(trusted, { ...person, notBefore: new Date(Date.now() - 30 * day), notAfter: new Date(Date.now() - day), withSignatureKey: false });
    const future = await issuePersonCard(trusted, { ...person, notBefore: new Date(Date.now() + day), notAfter: new Date(Date.now() + 30 * day), withSignatureKey: false });
    expect(await codeOf(validateCertificate(der(certificateB64(expired)), await options()))).toBe('CERT_EXPIRED');
    expect(await codeOf(validateCertificate(der(certificateB64(future)), await options()))).toBe('CERT_NOT_YET_VALID');
  });

  it('refuses the nonRepudiation-only signature certificate (CERT_WRONG_USAGE)', async () => {
    const { trusted } = await pkis();
    const card = await issuePersonCard(trusted, person);
    expect(await codeOf(validateCertificate(der(certificateB64(card, 'sign')), await options()))).toBe('CERT_WRONG_USAGE');
  });

  it('refuses a certificate with keyEncipherment only (CERT_WRONG_USAGE)', async () => {
    const { trusted } = await pkis();
    const card = await issuePersonCard(trusted, { ...person, authKeyUsage: x509.KeyUsageFlags.keyEncipherment, withSignatureKey: false });
    expect(await codeOf(validateCertificate(der(certificateB64(card)), await options()))).toBe('CERT_WRONG_USAGE');
  });

  it('refuses a certificate without the required policy (CERT_WRONG_POLICY)', async () => {
    const { trusted } = await pkis();
    const card = await issuePersonCard(trusted, { ...person, policies: ['1.3.6.1.4.1.32473.1.2'], withSignatureKey: false });
    expect(await codeOf(validateCertificate(der(certificateB64(card)), await options()))).toBe('CERT_WRONG_POLICY');
  });

  it('refuses a certificate whose subject serialNumber is not an HSA-ID, without echoing it (UNKNOWN_CARD_HOLDER)', async () => {
    const { trusted } = await pkis();
    const keys = await generateKeyPair('EC-P256');
    const cert = await issuePersonCertificate(trusted, { ...person, hsaId: '197001011234', publicKey: keys.publicKey, usage: 'auth' });
    const p = validateCertificate(new Uint8Array(cert.rawData), await options());
    await expect(p).rejects.toMatchObject({ code: 'UNKNOWN_CARD_HOLDER' });
    await p.catch((e: Error) => expect(e.message).not.toContain('197001011234'));
  });

  it('asks OCSP when configured: revoked → CERT_REVOKED; unknown or failing → CERT_REVOCATION_UNKNOWN; good → accepted', async () => {
    const { trusted } = await pkis();
    const card = await issuePersonCard(trusted, person);
    const seen: string[] = [];
    const ocsp = (answer: () => Promise<'good' | 'revoked' | 'unknown'>): OcspChecker => ({
      url: 'http://ocsp.test.example',
      check: async ({ certificate, issuer }) => {
        seen.push(`${certificate.subjectName.getField('CN')[0]} by ${issuer.subjectName.getField('CN')[0]}`);
        return answer();
      },
    });
    const cert = der(certificateB64(card));
    expect(await codeOf(validateCertificate(cert, await options({ ocsp: ocsp(async () => 'revoked') })))).toBe('CERT_REVOKED');
    expect(await codeOf(validateCertificate(cert, await options({ ocsp: ocsp(async () => 'unknown') })))).toBe('CERT_REVOCATION_UNKNOWN');
    expect(await codeOf(validateCertificate(cert, await options({ ocsp: ocsp(() => Promise.reject(new Error('timeout'))) })))).toBe('CERT_REVOCATION_UNKNOWN');
    expect(await codeOf(validateCertificate(cert, await options({ ocsp: ocsp(async () => 'good') })))).toBe('OK');
    expect(seen[0]).toBe('Anna Lindqvist by TEST SITHS e-id Person HSA-id 3 CA v1');
  });

  it('refuses to run without a policy or a trust anchor configured', async () => {
    const { trusted } = await pkis();
    const card = await issuePersonCard(trusted, person);
    await expect(validateCertificate(der(certificateB64(card)), await options({ requiredPolicies: [] }))).rejects.toThrow(/requiredPolicies/);
    await expect(validateCertificate(der(certificateB64(card)), await options({ trustAnchors: [] }))).rejects.toThrow(/trust anchors/);
  });
});
