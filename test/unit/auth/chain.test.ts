/**
 * Path validation refuses what RFC 5280 refuses (issue 19 point 7): our path builder and checks
 * (server/auth/certificate.ts: path length, keyCertSign, CA flag, validity, critical extensions)
 * and pkijs's engine over the same path (name constraints, the policy tree). Each case has its
 * passing twin, so a refusal is the rule at work and not a certificate broken some other way.
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn1X509 from '@peculiar/asn1-x509';
import { describe, expect, it } from 'vitest';
import { TEST_LOA3_POLICY_OID } from '#contract';
import { validateCertificate, type PolicyProcessing } from '../../../server/auth/certificate';
import * as x509 from '../../../server/auth/x509';
import { generateKeyPair, personSubject, randomSerial } from '../../../tools/pki/index';
import { codeOf } from '../../support/failure';

const ALG = { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams;
const DAY = 24 * 3600_000;
const ANY_POLICY = '2.5.29.32.0';
interface Issuer {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
}
interface CaOptions {
  pathLength?: number;
  keyUsage?: x509.KeyUsageFlags;
  isCa?: boolean;
  /** null: no certificatePolicies extension. Default the LoA3 test policy. */
  policies?: string[] | null;
  notAfter?: Date;
  extensions?: x509.Extension[];
}

async function rootCa(o: CaOptions = {}): Promise<Issuer> {
  const keys = await generateKeyPair('EC-P256');
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: 'CN=TEST chain root, O=Omsorgsportalen TEST PKI, C=SE',
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 3650 * DAY),
    keys,
    signingAlgorithm: ALG,
    extensions: [new x509.BasicConstraintsExtension(true, o.pathLength, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)],
  });
  return { cert, keys };
}

let caCount = 0;
async function subCa(issuer: Issuer, o: CaOptions = {}): Promise<Issuer> {
  const keys = await generateKeyPair('EC-P256');
  const policies = o.policies === undefined ? [TEST_LOA3_POLICY_OID] : o.policies;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=TEST chain CA ${++caCount}, O=Omsorgsportalen TEST PKI, C=SE`,
    issuer: issuer.cert.subject,
    notBefore: new Date(Date.now() - DAY),
    notAfter: o.notAfter ?? new Date(Date.now() + 365 * DAY),
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(o.isCa ?? true, o.pathLength, true),
      new x509.KeyUsagesExtension(o.keyUsage ?? x509.KeyUsageFlags.keyCertSign, true),
      ...(policies ? [new x509.CertificatePolicyExtension(policies)] : []),
      ...(o.extensions ?? []),
    ],
  });
  return { cert, keys };
}

async function leafOf(issuer: Issuer, extensions: x509.Extension[] = [], policies: string[] | null = [TEST_LOA3_POLICY_OID]): Promise<x509.X509Certificate> {
  const keys = await generateKeyPair('EC-P256');
  return x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: personSubject('SE2321000131-P000000000101', 'Anna', 'Lindqvist') as unknown as x509.JsonName,
    issuer: issuer.cert.subject,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 30 * DAY),
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      ...(policies ? [new x509.CertificatePolicyExtension(policies)] : []),
      ...extensions,
    ],
  });
}

const validate = (root: Issuer, cas: Issuer[], leaf: x509.X509Certificate, policyProcessing?: PolicyProcessing) =>
  validateCertificate(new Uint8Array(leaf.rawData), {
    trustAnchors: [root.cert],
    intermediates: cas.map((c) => c.cert),
    now: new Date(),
    requiredPolicies: [TEST_LOA3_POLICY_OID],
    ...(policyProcessing ? { policyProcessing } : {}),
  });

/** Leaf issued by the last CA of `cas` (root first); the login's code, or OK. Strict RFC 5280 policy processing unless `person`. */
async function login(root: Issuer, cas: Issuer[], leafExtensions: x509.Extension[] = [], policyProcessing: PolicyProcessing = 'rfc5280'): Promise<string> {
  return codeOf(validate(root, cas, await leafOf(cas[cas.length - 1] ?? root, leafExtensions), policyProcessing));
}

/** The refusal's code, Swedish message and details. */
async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string; details: unknown }> {
  try {
    await p;
  } catch (e) {
    const f = e as { code: string; message: string; details: unknown };
    return { code: f.code, message: f.message, details: f.details };
  }
  throw new Error('accepted');
}

/** A critical nameConstraints extension permitting only names under `dn`. */
function permittedSubtree(dn: string): x509.Extension {
  const base = new asn1X509.GeneralName({ directoryName: AsnConvert.parse(new x509.Name(dn).toArrayBuffer(), asn1X509.Name) });
  const value = new asn1X509.NameConstraints({ permittedSubtrees: new asn1X509.GeneralSubtrees([new asn1X509.GeneralSubtree({ base })]) });
  return new x509.Extension('2.5.29.30', true, AsnConvert.serialize(value));
}
const unknownExtension = (critical: boolean) => new x509.Extension('1.3.6.1.4.1.32473.9.9', critical, new Uint8Array([0x05, 0x00]));

describe('certificate path validation', () => {
  it('name constraints: a leaf outside the CA\'s permitted subtree is refused; inside it, accepted', async () => {
    const root = await rootCa();
    expect(await login(root, [await subCa(root, { extensions: [permittedSubtree('C=NO')] })])).toBe('CERT_UNTRUSTED');
    expect(await login(root, [await subCa(root, { extensions: [permittedSubtree('C=SE')] })])).toBe('OK');
  });

  it('path length: more CAs below a CA than its pathLenConstraint allows are refused; as many as it allows, accepted', async () => {
    for (const [pathLength, expected] of [[0, 'CERT_UNTRUSTED'], [1, 'OK']] as const) {
      // The root allows `pathLength` CAs below it; one issuing CA follows.
      const root = await rootCa({ pathLength });
      expect(await login(root, [await subCa(root)]), `root pathLen ${pathLength}`).toBe(expected);
      // An intermediate allows `pathLength` CAs below it; one more follows.
      const root2 = await rootCa();
      const upper = await subCa(root2, { pathLength });
      expect(await login(root2, [upper, await subCa(upper)]), `intermediate pathLen ${pathLength}`).toBe(expected);
    }
  });

  it('an unknown critical extension, on the CA or on the leaf, is refused; the same extension non-critical is ignored', async () => {
    const root = await rootCa();
    expect(await login(root, [await subCa(root, { extensions: [unknownExtension(true)] })])).toBe('CERT_UNTRUSTED');
    expect(await login(root, [await subCa(root)], [unknownExtension(true)])).toBe('CERT_UNTRUSTED');
    expect(await login(root, [await subCa(root, { extensions: [unknownExtension(false)] })], [unknownExtension(false)])).toBe('OK');
  });

  it('policy, by default (Inera): the LoA is the person certificate\'s policy OID; an issuing CA without certificatePolicies or with another policy does not matter', async () => {
    const root = await rootCa();
    for (const policies of [null, ['1.3.6.1.4.1.32473.1.2'], [ANY_POLICY], undefined]) {
      expect(await login(root, [await subCa(root, policies === undefined ? {} : { policies })], [], 'person'), String(policies)).toBe('OK');
    }
    // The default is this rule.
    const ca = await subCa(root, { policies: null });
    expect((await validate(root, [ca], await leafOf(ca))).hsaId).toBe('SE2321000131-P000000000101');
  });

  it('policy: the refusal says which certificate lacked what — the person certificate without any policy, or with another level; a CA under strict processing', async () => {
    const root = await rootCa();
    const ca = await subCa(root, { policies: null });
    expect(await refusal(validate(root, [ca], await leafOf(ca, [], null)))).toEqual({
      code: 'CERT_WRONG_POLICY',
      message: 'Ditt certifikat anger ingen certifikatpolicy, så dess tillitsnivå går inte att avgöra.',
      details: { certificate: 'person', reason: 'PERSON_NO_POLICIES' },
    });
    const loa2 = '1.3.6.1.4.1.32473.1.2';
    expect(await refusal(validate(root, [ca], await leafOf(ca, [], [loa2])))).toEqual({
      code: 'CERT_WRONG_POLICY',
      message: 'Ditt certifikat har inte tillitsnivå 3 (LoA3): dess certifikatpolicy är inte någon av de godkända.',
      details: { certificate: 'person', reason: 'PERSON_NO_LOA_POLICY', policies: [loa2] },
    });
    const strict = await refusal(validate(root, [ca], await leafOf(ca), 'rfc5280'));
    expect([strict.code, strict.details]).toEqual(['CERT_WRONG_POLICY', { certificate: 'ca', reason: 'CA_NO_POLICIES', depth: 1, subject: ca.cert.subject }]);
    expect(strict.message).toBe(`Utfärdarens certifikat (${ca.cert.subject}) anger ingen certifikatpolicy, och servern kräver policykontroll genom hela kedjan (RFC 5280).`);
  });

  it('policy, strict RFC 5280 (POLICY_PROCESSING=rfc5280): the leaf\'s LoA3 policy must be valid through the CA (its policies or anyPolicy), not only asserted by the leaf', async () => {
    const root = await rootCa();
    expect(await login(root, [await subCa(root, { policies: ['1.3.6.1.4.1.32473.1.2'] })])).toBe('CERT_WRONG_POLICY');
    expect(await login(root, [await subCa(root, { policies: null })])).toBe('CERT_WRONG_POLICY');
    expect(await login(root, [await subCa(root, { policies: [ANY_POLICY] })])).toBe('OK');
    expect(await login(root, [await subCa(root)])).toBe('OK');
  });

  it('an expired intermediate, one that is not a CA, and one without keyCertSign are refused', async () => {
    const root = await rootCa();
    expect(await login(root, [await subCa(root, { notAfter: new Date(Date.now() - 1000) })])).toBe('CERT_UNTRUSTED');
    expect(await login(root, [await subCa(root, { isCa: false })])).toBe('CERT_UNTRUSTED');
    expect(await login(root, [await subCa(root, { keyUsage: x509.KeyUsageFlags.digitalSignature })])).toBe('CERT_UNTRUSTED');
  });
});
