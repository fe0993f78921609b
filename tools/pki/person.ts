import { randomInt } from 'node:crypto';
import { OIDS, TEST_LOA3_POLICY_OID } from '#contract';
import { CARD_FILE_FORMAT, CardFile } from '../../native/softcard/card-file';
import * as x509 from '../../server/auth/x509';
import { randomSerial, type CertifiedKey, type TestPki } from './ca';
import { generateKeyPair, privateKeyToPem, signingAlgorithm, type KeyAlgorithm } from './keys';

/**
 * A plausible ATR of a SITHS-style PKCS#15 card (T=0, IDOne Cosmo-like historical bytes). The
 * software card answers with it; the workstation picks the PKCS#15 profile by default anyway.
 */
export const DEFAULT_ATR_HEX = '3B7F96000080318065B0850300EF120FFE829000';

const DAY_MS = 24 * 3600_000;

export type CertUsage = 'auth' | 'sign';

export interface PersonCertificateOptions {
  hsaId: string;
  givenName: string;
  familyName: string;
  publicKey: CryptoKey;
  /** auth: digitalSignature (login); sign: nonRepudiation only (signatures), as on real SITHS cards. */
  usage: CertUsage;
  notBefore?: Date;
  notAfter?: Date;
  /** Certificate policies; default the test LoA3 policy. Override for negative tests. */
  policies?: string[];
  /** Key usage flags; default by `usage`. Override for negative tests. */
  keyUsage?: x509.KeyUsageFlags;
  /** Authority Information Access OCSP URL, when a responder exists. */
  ocspUrl?: string;
}

/** Subject as in SITHS e-id Person HSA-id certificates: C, givenName, surname, serialNumber = HSA-ID, CN. */
export function personSubject(hsaId: string, givenName: string, familyName: string): x509.JsonNameParams {
  return [
    { '2.5.4.6': ['SE'] },
    { [OIDS.givenName]: [givenName] },
    { [OIDS.surname]: [familyName] },
    { [OIDS.subjectSerialNumber]: [{ printableString: hsaId }] },
    { '2.5.4.3': [`${givenName} ${familyName}`] },
  ];
}

/** Issues one person certificate from the PKI's person CA (or another issuer). */
export async function issuePersonCertificate(
  pki: Pick<TestPki, 'personCa'>,
  o: PersonCertificateOptions,
): Promise<x509.X509Certificate> {
  const issuer: CertifiedKey = pki.personCa;
  const notBefore = o.notBefore ?? new Date(Date.now() - DAY_MS);
  const notAfter = o.notAfter ?? new Date(notBefore.getTime() + 2 * 365 * DAY_MS);
  const keyUsage =
    o.keyUsage ?? (o.usage === 'auth' ? x509.KeyUsageFlags.digitalSignature : x509.KeyUsageFlags.nonRepudiation);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, false),
    new x509.KeyUsagesExtension(keyUsage, true),
    new x509.CertificatePolicyExtension(o.policies ?? [TEST_LOA3_POLICY_OID]),
    await x509.SubjectKeyIdentifierExtension.create(o.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(issuer.cert.publicKey),
  ];
  if (o.usage === 'auth') {
    extensions.push(new x509.ExtendedKeyUsageExtension([OIDS.clientAuth, OIDS.smartcardLogon]));
  }
  if (o.ocspUrl) {
    extensions.push(new x509.AuthorityInfoAccessExtension({ ocsp: [new x509.GeneralName('url', o.ocspUrl)] }));
  }
  return x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: personSubject(o.hsaId, o.givenName, o.familyName) as unknown as x509.JsonName,
    issuer: issuer.cert.subjectName,
    notBefore,
    notAfter,
    publicKey: o.publicKey,
    signingKey: issuer.key,
    signingAlgorithm: signingAlgorithm(issuer.algorithm),
    extensions,
  });
}

export interface IssueCardOptions {
  hsaId: string;
  givenName: string;
  familyName: string;
  /** Key algorithm of both card keys; default RSA-2048. */
  algorithm?: KeyAlgorithm | 'rsa' | 'ec';
  notBefore?: Date;
  notAfter?: Date;
  /** Default 123456. */
  pin?: string;
  /** Default 8 random digits. */
  puk?: string;
  /** Add the nonRepudiation signature key and certificate, as real SITHS cards have. Default true. */
  withSignatureKey?: boolean;
  /** Test knobs passed to the authentication certificate. */
  policies?: string[];
  authKeyUsage?: x509.KeyUsageFlags;
  ocspUrl?: string;
  label?: string;
  atrHex?: string;
}

export const DEFAULT_PIN = '123456';

export function normaliseAlgorithm(a: IssueCardOptions['algorithm']): KeyAlgorithm {
  if (a === undefined || a === 'rsa' || a === 'RSA-2048') return 'RSA-2048';
  if (a === 'ec' || a === 'EC-P256') return 'EC-P256';
  if (a === 'EC-P384') return 'EC-P384';
  throw new Error(`Unknown algorithm ${String(a)} (rsa, ec or EC-P384)`);
}

/** "Anna Maria Andersson" → given "Anna Maria", family "Andersson". */
export function splitName(name: string): { givenName: string; familyName: string } {
  const parts = name.trim().split(/\s+/);
  if (parts.length < 2) throw new Error('Name needs a given name and a family name');
  return { givenName: parts.slice(0, -1).join(' '), familyName: parts[parts.length - 1] ?? '' };
}

async function cardKey(pki: TestPki, o: IssueCardOptions, usage: CertUsage, algorithm: KeyAlgorithm) {
  const keys = await generateKeyPair(algorithm);
  const cert = await issuePersonCertificate(pki, {
    hsaId: o.hsaId,
    givenName: o.givenName,
    familyName: o.familyName,
    publicKey: keys.publicKey,
    usage,
    notBefore: o.notBefore,
    notAfter: o.notAfter,
    policies: usage === 'auth' ? o.policies : undefined,
    keyUsage: usage === 'auth' ? o.authKeyUsage : undefined,
    ocspUrl: o.ocspUrl,
  });
  return {
    algorithm,
    privateKeyPem: await privateKeyToPem(keys.privateKey),
    certificateChainPem: [cert.toString('pem'), pki.personCa.cert.toString('pem')],
  };
}

/** Issues a software card (keys, certificates, PIN, PUK) for a test or demo person. */
export async function issuePersonCard(pki: TestPki, o: IssueCardOptions): Promise<CardFile> {
  const algorithm = normaliseAlgorithm(o.algorithm);
  const name = `${o.givenName} ${o.familyName}`;
  const card = {
    format: CARD_FILE_FORMAT,
    label: o.label ?? `${name} (test)`,
    holder: { hsaId: o.hsaId, name },
    atrHex: o.atrHex ?? DEFAULT_ATR_HEX,
    auth: await cardKey(pki, o, 'auth', algorithm),
    ...(o.withSignatureKey === false ? {} : { sign: await cardKey(pki, o, 'sign', algorithm) }),
    pin: { value: o.pin ?? DEFAULT_PIN, triesLeft: 3, maxTries: 3 },
    puk: { value: o.puk ?? String(randomInt(0, 100_000_000)).padStart(8, '0'), triesLeft: 5, maxTries: 5 },
    behaviour: { useGetResponse: false, wrongLeFirst: false, signDelayMs: 0 },
  };
  return CardFile.parse(card);
}
