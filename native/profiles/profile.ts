import { AppFailure } from '#contract';
import type { ApduSession } from '../apdu/session';
import type { PinStatus } from '../pin';

export type HashAlgorithm = 'SHA-256' | 'SHA-384';
/**
 * The data to sign hashed with each algorithm, for when the card's key chooses (a login): the
 * stack signs the digest `hashForKey` names for the authentication key it finds.
 */
export type DigestsByHash = Record<HashAlgorithm, Uint8Array>;

/**
 * The hash a key signs with when the caller lets it choose: SHA-384 for an ECC P-384 key (ES384, the
 * pairing the server verifies: P-384 with SHA-384), SHA-256 for P-256 and RSA of any size.
 */
export const hashForKey = (key: { type: 'RSA' | 'EC'; curveBytes?: number }): HashAlgorithm =>
  key.type === 'EC' && (key.curveBytes ?? 0) >= 48 ? 'SHA-384' : 'SHA-256';

const HASH_LENGTH: Record<HashAlgorithm, number> = { 'SHA-256': 32, 'SHA-384': 48 };

/** Refuses a digest whose length is not its hash's (before the PIN is used). */
export function checkDigestLengths(hash: Uint8Array | DigestsByHash, hashAlg: HashAlgorithm): void {
  const all: [HashAlgorithm, Uint8Array][] = hash instanceof Uint8Array ? [[hashAlg, hash]] : (Object.entries(hash) as [HashAlgorithm, Uint8Array][]);
  for (const [alg, h] of all) if (h.length !== HASH_LENGTH[alg]) throw new AppFailure('VALIDATION', `Hashen har fel längd för ${alg}.`);
}

/** One digest and its hash: `hash` itself with `hashAlg`, or the one of `hash`'s digests the key chooses. */
export function pickDigest(
  hash: Uint8Array | DigestsByHash,
  hashAlg: HashAlgorithm,
  key: { type: 'RSA' | 'EC'; curveBytes?: number },
): { hash: Uint8Array; hashAlg: HashAlgorithm } {
  if (hash instanceof Uint8Array) return { hash, hashAlg };
  const alg = hashForKey(key);
  return { hash: hash[alg], hashAlg: alg };
}
/** JWS names: RS* = RSA PKCS#1 v1.5, ES* = ECDSA with raw r‖s (IEEE P1363), named by the hash. */
export type SignatureAlgorithm = 'RS256' | 'RS384' | 'ES256' | 'ES384';

export interface SignResult {
  /** RSA: the PKCS#1 v1.5 signature. ECDSA: raw r‖s, 32 + 32 bytes for P-256 (not DER). */
  signature: Uint8Array;
  algorithm: SignatureAlgorithm;
  /** The authentication certificate whose key made the signature. */
  certificateDer: Uint8Array;
}

/**
 * One card profile (one class per card family, as in Web eID's libelectronic-id). A profile
 * works on an APDU session that is connected for one operation; it never keeps the card.
 */
export interface CardProfile {
  readonly name: string;
  /** The authentication certificate (key usage digitalSignature). */
  readCertificate(session: ApduSession): Promise<Uint8Array>;
  /** Tries left on the authentication PIN, read without using a try. */
  pinStatus(session: ApduSession): Promise<PinStatus>;
  /**
   * VERIFY the PIN and sign the hash with the authentication key. The caller wipes `pin`. Given
   * digests per hash (`DigestsByHash`), the key chooses (`hashForKey`) and `hashAlg` is not used.
   */
  sign(session: ApduSession, pin: Uint8Array, hash: Uint8Array | DigestsByHash, hashAlg: HashAlgorithm): Promise<SignResult>;
}

export interface ProfileEntry {
  readonly name: string;
  /** True when this profile handles a card with this ATR. */
  matches(atr: Uint8Array): boolean;
  create(): CardProfile;
}

/**
 * Profiles chosen by ATR, first match wins; PKCS#15 is the fallback. The seam for a later
 * PKCS#11 profile (Net iD's module): register an entry whose profile talks to the module instead
 * of sending APDUs itself.
 */
export class ProfileRegistry {
  private readonly entries: ProfileEntry[] = [];
  constructor(private readonly fallback: ProfileEntry) {}
  register(entry: ProfileEntry): this {
    this.entries.push(entry);
    return this;
  }
  forAtr(atr: Uint8Array | undefined): CardProfile {
    const e = (atr && this.entries.find((x) => x.matches(atr))) || this.fallback;
    return e.create();
  }
}
