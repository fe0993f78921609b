import { createPrivateKey, privateEncrypt, sign, constants } from 'node:crypto';
import { LOGIN_TOKEN_FORMAT, TEST_LOA3_POLICY_OID, authValue, signedData, type LoginRequest, type PermittedUnit, type SignatureAlgorithm } from '#contract';
import type { CardFile } from '../../../native/softcard/card-file';
import { InMemoryAccessLog } from '../../../server/audit/access-events';
import { InMemoryNonceStore } from '../../../server/auth/nonces';
import { createAuthService, type AuthDeps } from '../../../server/auth/service';
import { InMemorySessionStore } from '../../../server/auth/sessions';
import type { StaffDirectory, StaffRecord } from '../../../server/auth/staff';
import { generateTestPki, type TestPki } from '../../../tools/pki/index';

export const ORIGIN = 'https://omsorg.test.example';

/** DER prefix of a PKCS#1 DigestInfo for SHA-256 (RFC 8017 9.2 note 1). */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/**
 * Signs like the card does: the workstation computes signedData(origin, nonce) and the card signs
 * that digest — RSA: PKCS#1 v1.5 over DigestInfo(SHA-256, digest) (what PSO COMPUTE DIGITAL
 * SIGNATURE does); ECDSA: raw r‖s over the digest.
 */
export async function cardSign(card: CardFile, origin: string, nonce: string, key: 'auth' | 'sign' = 'auth'): Promise<{ algorithm: SignatureAlgorithm; signature: Buffer }> {
  const k = card[key]!;
  const privateKey = createPrivateKey(k.privateKeyPem);
  if (k.algorithm === 'RSA-2048') {
    const digest = await signedData(origin, nonce);
    const signature = privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([SHA256_DIGEST_INFO, digest]));
    return { algorithm: 'RS256', signature };
  }
  // ECDSA over SHA-256(authValue) = over signedData; P1363 (r‖s) as a card returns it.
  const signature = sign('sha256', await authValue(origin, nonce), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return { algorithm: 'ES256', signature };
}

export const certificateB64 = (card: CardFile, key: 'auth' | 'sign' = 'auth'): string => {
  const pem = card[key]!.certificateChainPem[0]!;
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');
};

export async function loginToken(card: CardFile, nonce: string, opts: { origin?: string; key?: 'auth' | 'sign' } = {}): Promise<LoginRequest> {
  const origin = opts.origin ?? ORIGIN;
  const { algorithm, signature } = await cardSign(card, origin, nonce, opts.key);
  return { format: LOGIN_TOKEN_FORMAT, nonce, origin, certificate: certificateB64(card, opts.key), algorithm, signature: signature.toString('base64') };
}

export const ANNA: StaffRecord = {
  id: '00000000-0000-4000-8000-000000000101',
  hsaId: 'SE2321000131-P000000000101',
  givenName: 'Anna',
  familyName: 'Lindqvist',
  title: 'Undersköterska',
  role: 'staff',
};
export const LEILA: StaffRecord = { ...ANNA, id: '00000000-0000-4000-8000-000000000108', hsaId: 'SE2321000131-P000000000108', givenName: 'Leila', familyName: 'Karimi' };
export const UNIT: PermittedUnit = { unitId: '00000000-0000-4000-8000-00000000a001', name: 'Hemtjänst Majorna', validFrom: '2025-01-01', validTo: null };

/** Anna has a permission; Leila has none; everyone else is unknown. */
export class FakeStaffDirectory implements StaffDirectory {
  permissions = new Map<string, PermittedUnit[]>([[ANNA.id, [UNIT]]]);
  async findStaffByHsaId(hsaId: string) {
    return [ANNA, LEILA].find((s) => s.hsaId === hsaId) ?? null;
  }
  async activePermissions(staffId: string) {
    return this.permissions.get(staffId) ?? [];
  }
}

/** A controllable clock. */
export class Clock {
  constructor(public t = Date.now()) {}
  now = () => new Date(this.t);
  advance(ms: number) {
    this.t += ms;
  }
}

let pkiPromise: Promise<{ trusted: TestPki; untrusted: TestPki }> | undefined;
/** One trusted and one untrusted PKI (same names, other keys) per test file. */
export const pkis = () =>
  (pkiPromise ??= Promise.all([generateTestPki(), generateTestPki()]).then(([trusted, untrusted]) => ({ trusted, untrusted })));

export async function authSetup(overrides: Partial<AuthDeps> = {}) {
  const { trusted } = await pkis();
  const clock = new Clock();
  const accessLog = new InMemoryAccessLog();
  const staff = new FakeStaffDirectory();
  const deps: AuthDeps = {
    nonces: new InMemoryNonceStore(),
    sessions: new InMemorySessionStore(),
    staff,
    accessLog,
    trust: { trustAnchors: [trusted.root.cert], intermediates: [trusted.personCa.cert], requiredPolicies: [TEST_LOA3_POLICY_OID] },
    expectedOrigin: ORIGIN,
    now: clock.now,
    ...overrides,
  };
  return { service: createAuthService(deps), deps, clock, accessLog, staff, trusted };
}
