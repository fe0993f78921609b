import type { ApduSession } from '../apdu/session';
import type { PinStatus } from '../pin';

export type HashAlgorithm = 'SHA-256' | 'SHA-384';
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
  /** VERIFY the PIN and sign the hash with the authentication key. The caller wipes `pin`. */
  sign(session: ApduSession, pin: Uint8Array, hash: Uint8Array, hashAlg: HashAlgorithm): Promise<SignResult>;
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
