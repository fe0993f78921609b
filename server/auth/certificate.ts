import { createHash, webcrypto } from 'node:crypto';
import * as pkijs from 'pkijs';
import { OIDS } from '#contract';
import { HsaId } from '#contract';
import { AppFailure } from '#contract';
import * as x509 from './x509';

/**
 * Validation of the card's authentication certificate, in this order (docs/login.md):
 * 1. a path to a configured trust anchor: every signature verified, every issuer a CA allowed to
 *    sign certificates (basicConstraints, keyUsage keyCertSign, pathLen), every CA valid now,
 *    no unknown critical extension                                             → CERT_UNTRUSTED
 * 2. the certificate valid now                              → CERT_EXPIRED / CERT_NOT_YET_VALID
 * 3. keyUsage digitalSignature (a nonRepudiation-only signature certificate is refused), not a
 *    CA, extendedKeyUsage (when present) allowing clientAuth                 → CERT_WRONG_USAGE
 * 4. one of the required certificate policies (LoA3) in the person's certificate — Inera's rule:
 *    the level of assurance is read from the person certificate's policy OID; the issuing CA
 *    need not name one                                                      → CERT_WRONG_POLICY
 * 4b. the path again through pkijs's RFC 5280 engine (CertificateChainValidationEngine): name
 *    constraints, and with `policyProcessing: 'rfc5280'` (strict, an option) also the required
 *    policy valid through every CA of the path (the policy tree; a CA below the anchor must name
 *    a policy, its own or anyPolicy) → CERT_WRONG_POLICY for the policy, CERT_UNTRUSTED for
 *    anything else. The refusal says which certificate lacked what: a Swedish message, and
 *    details { certificate: 'person' | 'ca', depth?, reason } for the log.
 *    Ours keeps what pkijs does not check: pathLenConstraint, keyCertSign, critical extensions.
 * 5. revocation by OCSP when configured                → CERT_REVOKED / CERT_REVOCATION_UNKNOWN
 * 6. the HSA-ID from the subject serialNumber                             → UNKNOWN_CARD_HOLDER
 */

export type RevocationStatus = 'good' | 'revoked' | 'unknown';

/**
 * The OCSP seam; the implementation is OcspClient (server/auth/ocsp.ts). It asks `url` (or the
 * certificate's AIA responder) about the certificate, verifies the response's signature,
 * freshness and nonce, and answers. A throw (no verified answer, and no cached one it may stand
 * in with) counts as 'unknown': the login then fails closed.
 */
export interface OcspChecker {
  /** The configured responder; absent: the certificate's AIA responder (server/auth/ocsp.ts). */
  readonly url?: string | undefined;
  /** `goodAt`: when a verified good answer for it was last had elsewhere (the session's), for the grace. */
  check(request: { certificate: x509.X509Certificate; issuer: x509.X509Certificate; now: Date; goodAt?: Date }): Promise<RevocationStatus>;
  /** When the last verified good answer about it was issued (a stand-in within the grace is not one). */
  lastVerifiedGood?(certificate: x509.X509Certificate): Date | undefined;
}

export interface CertificateValidationOptions {
  trustAnchors: readonly x509.X509Certificate[];
  intermediates: readonly x509.X509Certificate[];
  now: Date;
  /** At least one must be asserted by the certificate. Must not be empty. */
  requiredPolicies: readonly string[];
  /**
   * 'person' (default, Inera's recommendation): the LoA is the person certificate's policy OID.
   * 'rfc5280': strict RFC 5280 policy processing as well — every CA below the anchor must name
   * the policy or anyPolicy (server config POLICY_PROCESSING, docs/login.md).
   */
  policyProcessing?: PolicyProcessing;
  ocsp?: OcspChecker;
}

export type PolicyProcessing = 'person' | 'rfc5280';
export const POLICY_PROCESSING: readonly PolicyProcessing[] = ['person', 'rfc5280'];

export interface ValidatedCertificate {
  certificate: x509.X509Certificate;
  /** Leaf first, trust anchor last. */
  chain: x509.X509Certificate[];
  hsaId: string;
  givenName?: string;
  familyName?: string;
  sha256: string;
}

const EXT = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  certificatePolicies: '2.5.29.32',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
} as const;
/** Processed by pkijs's engine (step 4b). */
const PKIJS_PROCESSED = {
  nameConstraints: '2.5.29.30',
  policyMappings: '2.5.29.33',
  policyConstraints: '2.5.29.36',
  inhibitAnyPolicy: '2.5.29.54',
} as const;
/** Extensions this validator processes; any other critical extension makes a certificate unusable (RFC 5280 4.2). */
const UNDERSTOOD = new Set<string>([...Object.values(EXT), ...Object.values(PKIJS_PROCESSED)]);
const pkijsCrypto = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as Crypto });

const MAX_PATH = 6;

/**
 * A refusal after the chain to a trust anchor was verified: the HSA-ID it carries is then the
 * issuer's word (not the presenter's claim) and may go into the access log.
 */
export class CertificateFailure extends AppFailure {
  constructor(
    code: ConstructorParameters<typeof AppFailure>[0],
    message: string,
    readonly hsaId: string | undefined,
    details?: AppFailure['details'],
  ) {
    super(code, message, details);
  }
}

const fail = (code: ConstructorParameters<typeof AppFailure>[0], message: string): never => {
  throw new AppFailure(code, message);
};

export const sha256Hex = (der: ArrayBuffer | Uint8Array): string =>
  createHash('sha256').update(new Uint8Array(der)).digest('hex');

const sameDer = (a: x509.X509Certificate, b: x509.X509Certificate): boolean =>
  Buffer.from(a.rawData).equals(Buffer.from(b.rawData));

const sameName = (a: x509.Name, b: x509.Name): boolean =>
  Buffer.from(a.toArrayBuffer()).equals(Buffer.from(b.toArrayBuffer())) || a.toString() === b.toString();

async function signedBy(child: x509.X509Certificate, issuer: x509.X509Certificate): Promise<boolean> {
  try {
    return await child.verify({ publicKey: issuer.publicKey, signatureOnly: true });
  } catch {
    return false;
  }
}

/**
 * Whether one configured CA certificate's signature verifies with another's key, remembered per
 * pair of certificate objects (issue 33, the 07:00 burst): the configured trust anchors and
 * intermediates are the same objects at every login, and the same bytes verify the same way every
 * time, so the path above the card is verified once per process instead of once per login. Only
 * the configured certificates are remembered (a WeakMap keyed by the objects: a certificate a
 * login sent is never among them); the card's own signature is verified at every login, and the
 * CAs' validity, usage and constraints are still checked at every login (checkIssuers).
 */
const caSignatures = new WeakMap<x509.X509Certificate, WeakMap<x509.X509Certificate, Promise<boolean>>>();
function caSignedBy(child: x509.X509Certificate, issuer: x509.X509Certificate): Promise<boolean> {
  const byIssuer = caSignatures.get(child) ?? caSignatures.set(child, new WeakMap()).get(child)!;
  const known = byIssuer.get(issuer);
  if (known) return known;
  const verified = signedBy(child, issuer);
  byIssuer.set(issuer, verified);
  return verified;
}

const validAt = (c: x509.X509Certificate, now: Date): boolean =>
  c.notBefore.getTime() <= now.getTime() && now.getTime() <= c.notAfter.getTime();

function hasUnknownCritical(c: x509.X509Certificate): boolean {
  return c.extensions.some((e) => e.critical && !UNDERSTOOD.has(e.type));
}

/** Depth-first search for a path leaf → … → anchor over issuers whose signature verifies. */
async function buildPath(
  path: x509.X509Certificate[],
  anchors: readonly x509.X509Certificate[],
  intermediates: readonly x509.X509Certificate[],
): Promise<x509.X509Certificate[] | null> {
  const current = path[path.length - 1]!;
  if (path.length > MAX_PATH) return null;
  // Above the leaf, `current` is a configured intermediate: its signature by a configured CA is remembered.
  const verify = path.length === 1 ? signedBy : caSignedBy;
  for (const anchor of anchors) {
    if (sameName(current.issuerName, anchor.subjectName) && (await verify(current, anchor))) return [...path, anchor];
  }
  for (const ca of intermediates) {
    if (path.some((p) => sameDer(p, ca))) continue;
    if (!sameName(current.issuerName, ca.subjectName) || !(await verify(current, ca))) continue;
    const found = await buildPath([...path, ca], anchors, intermediates);
    if (found) return found;
  }
  return null;
}

function checkIssuers(chain: x509.X509Certificate[], now: Date): void {
  // chain[0] is the leaf; chain[i] for i ≥ 1 issued chain[i-1].
  for (let i = 1; i < chain.length; i++) {
    const ca = chain[i]!;
    const bc = ca.getExtension(x509.BasicConstraintsExtension);
    if (!bc?.ca) fail('CERT_UNTRUSTED', `Issuer at depth ${i} is not a CA`);
    // Number of intermediate CAs between this one and the leaf.
    const below = i - 1;
    if (bc?.pathLength !== undefined && below > bc.pathLength) fail('CERT_UNTRUSTED', `Path length constraint of the CA at depth ${i} exceeded`);
    const ku = ca.getExtension(x509.KeyUsagesExtension);
    if (ku && (ku.usages & x509.KeyUsageFlags.keyCertSign) === 0) fail('CERT_UNTRUSTED', `CA at depth ${i} may not sign certificates`);
    if (!validAt(ca, now)) fail('CERT_UNTRUSTED', `CA at depth ${i} is not valid at this time`);
    if (hasUnknownCritical(ca)) fail('CERT_UNTRUSTED', `CA at depth ${i} has an unsupported critical extension`);
  }
}

function checkUsage(leaf: x509.X509Certificate): void {
  if (hasUnknownCritical(leaf)) fail('CERT_UNTRUSTED', 'The certificate has an unsupported critical extension');
  if (leaf.getExtension(x509.BasicConstraintsExtension)?.ca) fail('CERT_WRONG_USAGE', 'A CA certificate cannot log in');
  const ku = leaf.getExtension(x509.KeyUsagesExtension);
  if (!ku || (ku.usages & x509.KeyUsageFlags.digitalSignature) === 0) {
    fail('CERT_WRONG_USAGE', 'The certificate is not an authentication certificate (keyUsage digitalSignature)');
  }
  const eku = leaf.getExtension(x509.ExtendedKeyUsageExtension);
  if (eku && !eku.usages.some((u) => u === OIDS.clientAuth || u === OIDS.anyExtendedKeyUsage)) {
    fail('CERT_WRONG_USAGE', 'The certificate does not allow client authentication');
  }
}

/** The reasons a CERT_WRONG_POLICY names in its details (for the log), one per certificate and lack. */
export type PolicyRefusal = 'PERSON_NO_POLICIES' | 'PERSON_NO_LOA_POLICY' | 'CA_NO_POLICIES' | 'CA_PATH_POLICY';

function wrongPolicy(message: string, details: { certificate: 'person' | 'ca'; reason: PolicyRefusal; depth?: number; subject?: string; policies?: string[] }): never {
  throw new AppFailure('CERT_WRONG_POLICY', message, details);
}

function checkPolicy(leaf: x509.X509Certificate, chain: x509.X509Certificate[], required: readonly string[], mode: PolicyProcessing): void {
  const ext = leaf.getExtension(x509.CertificatePolicyExtension);
  if (!ext) wrongPolicy('Ditt certifikat anger ingen certifikatpolicy, så dess tillitsnivå går inte att avgöra.', { certificate: 'person', reason: 'PERSON_NO_POLICIES' });
  if (!required.some((p) => ext.policies.includes(p))) {
    // Policy OIDs are no personal data: the log may show which the certificate has.
    wrongPolicy('Ditt certifikat har inte tillitsnivå 3 (LoA3): dess certifikatpolicy är inte någon av de godkända.', {
      certificate: 'person',
      reason: 'PERSON_NO_LOA_POLICY',
      policies: [...ext.policies],
    });
  }
  if (mode !== 'rfc5280') return;
  // Strict: a CA that names no policy vouches for none (RFC 5280 6.1.3 (e): the policy tree ends there).
  // pkijs, asked without explicit policy, would read it as anyPolicy; the trust anchor is exempt.
  chain.slice(1, -1).forEach((ca, i) => {
    if (!ca.getExtension(x509.CertificatePolicyExtension)) {
      wrongPolicy(`Utfärdarens certifikat (${ca.subject}) anger ingen certifikatpolicy, och servern kräver policykontroll genom hela kedjan (RFC 5280).`, {
        certificate: 'ca',
        reason: 'CA_NO_POLICIES',
        depth: i + 1,
        subject: ca.subject,
      });
    }
  });
}

const asPkijs = (c: x509.X509Certificate) => pkijs.Certificate.fromBER(new Uint8Array(c.rawData));
/** The configured CAs in pkijs's form, parsed once per certificate object (the trust configuration's objects live as long as it). */
const pkijsForms = new WeakMap<x509.X509Certificate, pkijs.Certificate>();
function configuredAsPkijs(c: x509.X509Certificate): pkijs.Certificate {
  const known = pkijsForms.get(c);
  if (known) return known;
  const parsed = asPkijs(c);
  pkijsForms.set(c, parsed);
  return parsed;
}

/** Step 4b: the path we built, validated by pkijs's RFC 5280 engine (name constraints, policy tree). */
async function checkPathRfc5280(chain: x509.X509Certificate[], options: CertificateValidationOptions): Promise<void> {
  const path = chain.map((c, i) => (i === 0 ? asPkijs(c) : configuredAsPkijs(c)));
  const engine = new pkijs.CertificateChainValidationEngine({
    trustedCerts: [path[path.length - 1]!],
    // The leaf goes last: pkijs takes the last certificate as the one to validate.
    certs: [...path.slice(1, -1), path[0]!],
    checkDate: options.now,
    // Each certificate's issuer is the next of the path buildPath found, whose signature over it
    // buildPath has verified: pkijs's default would verify every signature of the path a second
    // time (issue 33: half the CPU of a login). Anything else has no issuer, so no path.
    findIssuer: async (certificate) => {
      const i = path.indexOf(certificate);
      return i >= 0 && i < path.length - 1 ? [path[i + 1]!] : [];
    },
  });
  let result: { result: boolean; resultMessage?: string };
  try {
    // Not initialExplicitPolicy: pkijs then refuses a CA asserting anyPolicy, which RFC 5280
    // allows; checkPolicy has already refused a CA naming no policy, the case explicit policy adds.
    result = await engine.verify(options.policyProcessing === 'rfc5280' ? { initialPolicySet: [...options.requiredPolicies] } : {}, pkijsCrypto);
  } catch (e) {
    result = { result: false, resultMessage: (e as Error).message };
  }
  if (result.result) return;
  const message = result.resultMessage ?? '';
  if (/polic/i.test(message)) {
    wrongPolicy(`Tillitsnivå 3 (LoA3) gäller inte genom utfärdarnas kedja (${message}).`, { certificate: 'ca', reason: 'CA_PATH_POLICY' });
  }
  fail('CERT_UNTRUSTED', `The certificate path is not valid (${message})`);
}

function holder(leaf: x509.X509Certificate) {
  const serials = leaf.subjectName.getField(OIDS.subjectSerialNumber);
  const hsaId = serials.length === 1 ? serials[0] : undefined;
  // The value is not echoed: a certificate of the wrong kind may carry a personnummer there.
  if (hsaId === undefined || !HsaId.safeParse(hsaId).success) fail('UNKNOWN_CARD_HOLDER', 'The certificate carries no HSA-ID');
  return {
    hsaId: hsaId as string,
    givenName: leaf.subjectName.getField(OIDS.givenName)[0],
    familyName: leaf.subjectName.getField(OIDS.surname)[0],
  };
}

export function parseCertificate(der: Uint8Array | ArrayBuffer): x509.X509Certificate {
  try {
    return new x509.X509Certificate(new Uint8Array(der));
  } catch {
    return fail('CERT_UNTRUSTED', 'The certificate cannot be parsed');
  }
}

export async function validateCertificate(
  certDer: Uint8Array | ArrayBuffer,
  options: CertificateValidationOptions,
): Promise<ValidatedCertificate> {
  if (options.requiredPolicies.length === 0) throw new Error('validateCertificate: requiredPolicies must not be empty');
  if (options.trustAnchors.length === 0) throw new Error('validateCertificate: no trust anchors configured');
  const leaf = parseCertificate(certDer);

  const chain = await buildPath([leaf], options.trustAnchors, options.intermediates);
  if (!chain) return fail('CERT_UNTRUSTED', 'The certificate is not issued by a trusted CA');
  checkIssuers(chain, options.now);

  const serial = leaf.subjectName.getField(OIDS.subjectSerialNumber);
  const trustedHsaId = serial.length === 1 && HsaId.safeParse(serial[0]).success ? serial[0] : undefined;
  try {
    return await checkLeaf(leaf, chain, options);
  } catch (e) {
    if (e instanceof AppFailure) throw new CertificateFailure(e.code, e.message, trustedHsaId, e.details);
    throw e;
  }
}

async function checkLeaf(leaf: x509.X509Certificate, chain: x509.X509Certificate[], options: CertificateValidationOptions): Promise<ValidatedCertificate> {
  if (options.now.getTime() < leaf.notBefore.getTime()) fail('CERT_NOT_YET_VALID', 'The certificate is not valid yet');
  if (options.now.getTime() > leaf.notAfter.getTime()) fail('CERT_EXPIRED', 'The certificate has expired');

  checkUsage(leaf);
  checkPolicy(leaf, chain, options.requiredPolicies, options.policyProcessing ?? 'person');
  await checkPathRfc5280(chain, options);

  if (options.ocsp) await checkRevocation(leaf, chain, options.ocsp, options.now);

  return { certificate: leaf, chain, ...holder(leaf), sha256: sha256Hex(leaf.rawData) };
}

/**
 * Step 5 on its own: the login asks it only after the signature verified (an anonymous caller must
 * not learn whether someone's certificate is revoked), and the renewal asks it again (a card
 * revoked after login cannot keep its session). CERT_REVOKED / CERT_REVOCATION_UNKNOWN, the
 * message saying why (the responder's word, or why no verified answer was had).
 */
export async function checkRevocation(leaf: x509.X509Certificate, chain: x509.X509Certificate[], ocsp: OcspChecker, now: Date, goodAt?: Date): Promise<void> {
  let status: RevocationStatus;
  let reason = '';
  try {
    status = await ocsp.check({ certificate: leaf, issuer: chain[1]!, now, ...(goodAt ? { goodAt } : {}) });
  } catch (e) {
    status = 'unknown';
    reason = `: ${reasonOf(e)}`;
  }
  if (status === 'revoked') fail('CERT_REVOKED', 'The certificate is revoked (OCSP)');
  if (status !== 'good') fail('CERT_REVOCATION_UNKNOWN', `The revocation status of the certificate could not be established${reason || ': the responder does not know the certificate'}`);
}

/** Why something failed, never empty (fetch's "fetch failed" hides its cause; some libraries throw strings). */
export function reasonOf(e: unknown): string {
  if (e instanceof Error) {
    const cause = e.cause instanceof Error ? ` (${(e.cause as Error & { code?: string }).code ?? e.cause.message})` : '';
    return `${e.message || e.name}${cause}`;
  }
  return String(e) || 'unknown error';
}
