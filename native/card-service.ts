import { AppFailure } from '#contract';
import { atrExtendedLength } from './apdu/atr';
import { ApduSession, type CardHints } from './apdu/session';
import { checkPinFormat, wipe, type PinStatus } from './pin';
import { pkcs15Entry } from './profiles/pkcs15';
import { ProfileRegistry, type DigestsByHash, type HashAlgorithm, type SignResult } from './profiles/profile';
import type { CardEventListener, CardReaders, ConnectedCard, ReaderInfo } from './readers';

export type { DigestsByHash, HashAlgorithm, SignResult, SignatureAlgorithm } from './profiles/profile';
export type { CardEvent, ReaderInfo } from './readers';
export type { PinStatus } from './pin';

/**
 * The smart-card API the workstation calls: which readers, which card, how many PIN tries,
 * sign these bytes, tell me when the card leaves. Knows nothing of sessions or UI. Every call
 * connects for that call only; PIN use runs exclusive and resets the card afterwards.
 */
export class CardService {
  /** By ATR (hex): the application the profile found through EF.DIR (bounded; a stale hint is found again). */
  private readonly hints = new Map<string, CardHints>();

  constructor(
    private readonly readers: CardReaders,
    private readonly profiles: ProfileRegistry = new ProfileRegistry(pkcs15Entry),
  ) {}

  listReaders(): Promise<ReaderInfo[]> {
    return this.readers.listReaders();
  }

  /** The authentication certificate (DER). */
  readCertificate(reader: string): Promise<Uint8Array> {
    return this.readers.withCard(reader, (card) => this.profile(card).readCertificate(this.session(card)), { share: 'shared', disposition: 'leave' });
  }

  /** Tries left and blocked state of the authentication PIN, without using a try. */
  async getPinStatus(reader: string): Promise<{ triesLeft?: number; blocked: boolean }> {
    const s: PinStatus = await this.readers.withCard(reader, (card) => this.profile(card).pinStatus(this.session(card)), {
      share: 'shared',
      disposition: 'leave',
    });
    return { ...(s.triesLeft === undefined ? {} : { triesLeft: s.triesLeft }), blocked: s.blocked };
  }

  /**
   * VERIFY the PIN once (never retried) and sign `hash` with the authentication key. The PIN
   * buffer is zero-filled before this returns, whatever happens. RSA: PKCS#1 v1.5 signature;
   * ECDSA: raw r‖s (IEEE P1363, as JWS ES256 and Web eID use). Given one digest per hash
   * (`DigestsByHash`), the card's key chooses: SHA-384 for P-384, else SHA-256 (`hashForKey`).
   */
  async sign(reader: string, pin: Uint8Array, hash: Uint8Array | DigestsByHash, hashAlg: HashAlgorithm): Promise<SignResult> {
    try {
      if (hashAlg !== 'SHA-256' && hashAlg !== 'SHA-384') throw new AppFailure('VALIDATION', 'Hashalgoritmen stöds inte.');
      checkPinFormat(pin);
      return await this.readers.withCard(reader, (card) => this.profile(card).sign(this.session(card), pin, hash, hashAlg), {
        share: 'exclusive',
        disposition: 'reset',
      });
    } finally {
      wipe(pin);
    }
  }

  /** Reader and card events (reader-added/removed, card-inserted/removed, unavailable/available). */
  subscribe(listener: CardEventListener): () => void {
    return this.readers.monitor.subscribe(listener);
  }

  /** The readers and cards as last reported by the monitor (no PC/SC call). */
  snapshot(): ReaderInfo[] {
    return this.readers.monitor.readers();
  }

  close(): Promise<void> {
    return this.readers.close();
  }

  private profile(card: ConnectedCard) {
    return this.profiles.forAtr(card.atr);
  }

  /** An APDU session sized by what the card announces: the ATR's card capabilities, else EF.ATR (read by the profile when signing). */
  private session(card: ConnectedCard): ApduSession {
    if (!card.atr) return new ApduSession(card.transport);
    const key = Buffer.from(card.atr).toString('hex');
    let hints = this.hints.get(key);
    if (!hints) {
      if (this.hints.size >= 64) this.hints.clear();
      hints = {};
      this.hints.set(key, hints);
    }
    const fromAtr = atrExtendedLength(card.atr);
    return new ApduSession(card.transport, { hints, ...(fromAtr === undefined ? {} : { extendedLength: fromAtr }) });
  }
}
