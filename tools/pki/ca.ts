import { mkdir, readFile, writeFile, access } from 'node:fs/promises';
import { join } from 'node:path';
import { TEST_LOA3_POLICY_OID } from '#contract';
import * as x509 from '../../server/auth/x509';
import { generateKeyPair, keyAlgorithmOf, privateKeyFromPem, privateKeyToPem, signingAlgorithm, type KeyAlgorithm } from './keys';

/**
 * A test PKI shaped like SITHS e-id (Inera): a root CA and the issuing CA for LoA3 person
 * certificates with the HSA-ID in the subject serialNumber. Names carry TEST, as Inera's own test
 * environment does; the organisation is ours, never Inera's. Test and demo material only.
 */
export const ROOT_CA_NAME = 'CN=TEST SITHS e-id Root CA v2, O=Omsorgsportalen TEST PKI, C=SE';
export const PERSON_CA_NAME = 'CN=TEST SITHS e-id Person HSA-id 3 CA v1, O=Omsorgsportalen TEST PKI, C=SE';

export interface CertifiedKey {
  cert: x509.X509Certificate;
  key: CryptoKey;
  algorithm: KeyAlgorithm;
}

export interface TestPki {
  root: CertifiedKey;
  /** Issues person certificates: "TEST SITHS e-id Person HSA-id 3 CA v1". */
  personCa: CertifiedKey;
  /** Where it is stored, when it is. */
  dir?: string;
}

export interface GenerateOptions {
  algorithm?: KeyAlgorithm;
  notBefore?: Date;
  notAfter?: Date;
}

const FILES = {
  root: 'root-ca.pem',
  rootKey: 'root-ca.key.pem',
  personCa: 'person-ca.pem',
  personCaKey: 'person-ca.key.pem',
} as const;

const YEAR_MS = 365 * 24 * 3600_000;

/** Random positive 16-byte serial number (hex). */
export function randomSerial(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[0] = ((b[0] ?? 0) & 0x7f) | 0x01;
  return Buffer.from(b).toString('hex');
}

/**
 * Generates a new root + issuing CA in memory. Two calls give two unrelated PKIs with the same
 * names: the second one is the "untrusted" CA of the negative tests.
 */
export async function generateTestPki(options: GenerateOptions = {}): Promise<TestPki> {
  const algorithm = options.algorithm ?? 'RSA-2048';
  const notBefore = options.notBefore ?? new Date(Date.now() - 24 * 3600_000);
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + 20 * YEAR_MS);

  const rootKeys = await generateKeyPair(algorithm);
  const rootCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: ROOT_CA_NAME,
    notBefore,
    notAfter,
    keys: rootKeys,
    signingAlgorithm: signingAlgorithm(algorithm),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });

  const caKeys = await generateKeyPair(algorithm);
  const caCert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: PERSON_CA_NAME,
    issuer: rootCert.subject,
    notBefore,
    notAfter: new Date(notAfter.getTime() - YEAR_MS),
    publicKey: caKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: signingAlgorithm(algorithm),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      new x509.CertificatePolicyExtension([TEST_LOA3_POLICY_OID]),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });

  return {
    root: { cert: rootCert, key: rootKeys.privateKey, algorithm },
    personCa: { cert: caCert, key: caKeys.privateKey, algorithm },
  };
}

/**
 * A delegated OCSP responder of the person CA (RFC 6960 4.2.2.2): issued by it, extendedKeyUsage
 * id-kp-OCSPSigning, id-pkix-ocsp-nocheck (its own status is not asked). `ocspSigning: false`
 * leaves the usage out (a responder the CA did not authorise, for negative tests); `issuer`
 * issues it from another CA.
 */
export async function issueOcspResponder(pki: Pick<TestPki, 'personCa'>, o: { ocspSigning?: boolean; issuer?: CertifiedKey } = {}): Promise<CertifiedKey> {
  const issuer = o.issuer ?? pki.personCa;
  const algorithm: KeyAlgorithm = 'EC-P256';
  const keys = await generateKeyPair(algorithm);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: 'CN=TEST SITHS e-id OCSP responder, O=Omsorgsportalen TEST PKI, C=SE',
    issuer: issuer.cert.subject,
    notBefore: new Date(Date.now() - 24 * 3600_000),
    notAfter: new Date(Date.now() + YEAR_MS),
    publicKey: keys.publicKey,
    signingKey: issuer.key,
    signingAlgorithm: signingAlgorithm(issuer.algorithm),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      ...(o.ocspSigning === false ? [] : [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.ocspSigning])]),
      new x509.Extension('1.3.6.1.5.5.7.48.1.5', false, new Uint8Array([0x05, 0x00])),
      await x509.AuthorityKeyIdentifierExtension.create(issuer.cert.publicKey),
    ],
  });
  return { cert, key: keys.privateKey, algorithm };
}

/** Writes the CA certificates and keys as PEM; keys mode 0600. */
export async function saveTestPki(pki: TestPki, dir: string): Promise<TestPki> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(join(dir, FILES.root), pki.root.cert.toString('pem') + '\n');
  await writeFile(join(dir, FILES.personCa), pki.personCa.cert.toString('pem') + '\n');
  await writeFile(join(dir, FILES.rootKey), (await privateKeyToPem(pki.root.key)) + '\n', { mode: 0o600 });
  await writeFile(join(dir, FILES.personCaKey), (await privateKeyToPem(pki.personCa.key)) + '\n', { mode: 0o600 });
  return { ...pki, dir };
}

export async function createTestPki(dir: string, options: GenerateOptions = {}): Promise<TestPki> {
  return saveTestPki(await generateTestPki(options), dir);
}

async function loadCertifiedKey(dir: string, certFile: string, keyFile: string): Promise<CertifiedKey> {
  const cert = new x509.X509Certificate(await readFile(join(dir, certFile), 'utf8'));
  const algorithm = keyAlgorithmOf(cert);
  const key = await privateKeyFromPem(await readFile(join(dir, keyFile), 'utf8'), algorithm);
  return { cert, key, algorithm };
}

export async function loadTestPki(dir: string): Promise<TestPki> {
  return {
    root: await loadCertifiedKey(dir, FILES.root, FILES.rootKey),
    personCa: await loadCertifiedKey(dir, FILES.personCa, FILES.personCaKey),
    dir,
  };
}

/** Loads the PKI in `dir`, creating it on first use. */
export async function loadOrCreateTestPki(dir: string, options: GenerateOptions = {}): Promise<TestPki> {
  try {
    await access(join(dir, FILES.root));
  } catch {
    return createTestPki(dir, options);
  }
  return loadTestPki(dir);
}

/** The trust anchor and intermediate PEM files a server is configured with. */
export function trustFiles(dir: string): { trustAnchors: string[]; intermediates: string[] } {
  return { trustAnchors: [join(dir, FILES.root)], intermediates: [join(dir, FILES.personCa)] };
}

/** What a server trusts to accept this test PKI's cards (createServer's `auth.trust`). */
export function testPkiTrust(pki: TestPki): { trustAnchorsPem: string[]; intermediatesPem: string[]; requiredPolicies: string[] } {
  return {
    trustAnchorsPem: [pki.root.cert.toString('pem')],
    intermediatesPem: [pki.personCa.cert.toString('pem')],
    requiredPolicies: [TEST_LOA3_POLICY_OID],
  };
}
