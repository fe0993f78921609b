import 'reflect-metadata';
import { X509Certificate } from 'node:crypto';
import { createRequire } from 'node:module';
import * as x509 from '@peculiar/x509';
import type * as Pkcs11Js from 'pkcs11js';
import { AppFailure } from '#contract';
import { fromHex } from '../apdu/command';
import { pinBlocked, wipe } from '../pin';
import { checkDigestLengths, pickDigest, type DigestsByHash, type HashAlgorithm, type SignResult } from '../profiles/profile';
import type { CardEvent, CardEventListener, CardMonitor, ReaderInfo } from '../readers';

/**
 * The card through a PKCS#11 module instead of PC/SC APDUs: what Net iD (Access / Enterprise)
 * offers other programs on Windows, and what SoftHSM2 offers in our tests. Slots are readers,
 * tokens are cards; the module does PIN handling and signing itself. Same errors as the PC/SC
 * stack (PIN_WRONG, PIN_BLOCKED, CARD_REMOVED, NO_CARD), with the tries left as far as the module
 * tells them: CKF_USER_PIN_FINAL_TRY = 1 left, CKF_USER_PIN_LOCKED = blocked, CKF_USER_PIN_COUNT_LOW
 * = "few left" without a number. Slots are polled (C_WaitForSlotEvent is optional in PKCS#11 and
 * missing in many modules); a token whose info can no longer be read counts as removed.
 */
export interface Pkcs11Options {
  /** Path of the module (e.g. C:\Windows\System32\iidp11.dll for Net iD, libsofthsm2.so). */
  module: string;
  /** How often the slots are polled for tokens coming and going, ms (default 300). */
  pollMs?: number;
}

type Binding = typeof Pkcs11Js;
/** CK_SLOT_INFO flag (PKCS#11 §3.2); the binding's typings leave it out. */
const CKF_TOKEN_PRESENT = 0x1;
/**
 * The binding, loaded at run time and only when PKCS#11 is configured, with `require` — never
 * `import()`. pkcs11js is CommonJS: through ESM interop plain Node names only `PKCS11` and puts
 * every CKF_/CKR_/CKM_ constant on `default` (vitest's loader hid that; the shipped bundle and
 * `npm start` saw no token at all). `require` gives the one object with everything, in the source
 * and in the CommonJS bundle alike (there `import.meta.url` is the bundle's own URL,
 * scripts/build-electron.ts). Exported for the test that checks the shape.
 */
export function loadPkcs11Binding(): Binding {
  const b = createRequire(import.meta.url)('pkcs11js') as Binding;
  if (typeof b.PKCS11 !== 'function' || typeof b.CKF_TOKEN_INITIALIZED !== 'number' || typeof b.CKR_PIN_INCORRECT !== 'number') {
    throw new Error('pkcs11js saknar PKCS11 eller sina konstanter');
  }
  return b;
}

const DIGEST_INFO_PREFIX: Record<HashAlgorithm, Uint8Array> = {
  'SHA-256': fromHex('3031300d060960864801650304020105000420'),
  'SHA-384': fromHex('3041300d060960864801650304020205000430'),
};

export class Pkcs11Tokens implements CardMonitor {
  private readonly listeners = new Set<CardEventListener>();
  private slots = new Map<string, { slot: Pkcs11Js.Handle; present: boolean }>();
  private timer: NodeJS.Timeout | undefined;
  private busy: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly p: Binding,
    private readonly lib: Pkcs11Js.PKCS11,
    pollMs: number,
  ) {
    this.poll();
    this.timer = setInterval(() => this.poll(), pollMs);
    this.timer.unref();
  }

  static async open(opts: Pkcs11Options): Promise<Pkcs11Tokens> {
    let p: Binding;
    let lib: Pkcs11Js.PKCS11;
    try {
      p = loadPkcs11Binding();
      lib = new p.PKCS11();
      lib.load(opts.module);
      lib.C_Initialize();
    } catch (e) {
      throw new AppFailure('PCSC_UNAVAILABLE', 'Kortmodulen (PKCS#11) kunde inte läsas in. Kontrollera sökvägen i inställningarna.', {
        module: opts.module,
        reason: (e as Error).message,
      });
    }
    return new Pkcs11Tokens(p, lib, opts.pollMs ?? 300);
  }

  /** The label of the token in a reader ('' when none): tests and diagnostics tell SoftHSM's identical slot names apart by it. */
  labelOf(reader: string): string {
    const s = this.slots.get(reader);
    if (!s?.present) return '';
    try {
      return this.lib.C_GetTokenInfo(s.slot).label.trim();
    } catch {
      return '';
    }
  }

  readers(): ReaderInfo[] {
    return [...this.slots].map(([name, s]) => ({ name, cardPresent: s.present }));
  }

  subscribe(listener: CardEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tries left and blocked as far as the module says (see the class comment). */
  async pinStatus(reader: string): Promise<{ triesLeft?: number; blocked: boolean }> {
    const flags = this.tokenFlags(this.slotOf(reader));
    if (flags & this.p.CKF_USER_PIN_LOCKED) return { triesLeft: 0, blocked: true };
    return flags & this.p.CKF_USER_PIN_FINAL_TRY ? { triesLeft: 1, blocked: false } : { blocked: false };
  }

  /** C_Login with the PIN (once, never retried), then C_Sign with the authentication key. `pin` is wiped. */
  sign(reader: string, pin: Uint8Array, hash: Uint8Array | DigestsByHash, hashAlg: HashAlgorithm): Promise<SignResult> {
    const run = this.busy.catch(() => undefined).then(() => this.signNow(reader, pin, hash, hashAlg));
    this.busy = run.catch(() => undefined);
    return run.finally(() => wipe(pin));
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.listeners.clear();
    try {
      this.lib.C_Finalize();
    } catch {
      // already finalized
    }
  }

  private async signNow(reader: string, pin: Uint8Array, digests: Uint8Array | DigestsByHash, givenAlg: HashAlgorithm): Promise<SignResult> {
    const { p, lib } = this;
    checkDigestLengths(digests, givenAlg);
    const slot = this.slotOf(reader);
    if (this.tokenFlags(slot) & p.CKF_USER_PIN_LOCKED) throw pinBlocked();
    const session = this.call(() => lib.C_OpenSession(slot, p.CKF_SERIAL_SESSION));
    try {
      try {
        // The binding takes the PIN as a string; it lives only for this call.
        lib.C_Login(session, p.CKU_USER, Buffer.from(pin).toString('ascii'));
      } catch (e) {
        throw this.loginFailure(slot, e);
      }
      const { key, certificateDer, type, curveBytes } = this.authKey(session);
      const { hash, hashAlg } = pickDigest(digests, givenAlg, { type, curveBytes });
      const rsa = type === 'RSA';
      const input = rsa ? Buffer.concat([DIGEST_INFO_PREFIX[hashAlg], hash]) : Buffer.from(hash);
      const signature = this.call(() => {
        lib.C_SignInit(session, { mechanism: rsa ? p.CKM_RSA_PKCS : p.CKM_ECDSA }, key);
        return lib.C_Sign(session, input, Buffer.alloc(1024));
      });
      const algorithm = rsa ? (hashAlg === 'SHA-256' ? 'RS256' : 'RS384') : hashAlg === 'SHA-256' ? 'ES256' : 'ES384';
      return { signature: new Uint8Array(signature), algorithm, certificateDer };
    } finally {
      try {
        lib.C_Logout(session);
      } catch {
        // not logged in, or the token is gone
      }
      try {
        lib.C_CloseSession(session);
      } catch {
        // the token is gone
      }
    }
  }

  /** The private key that signs whose certificate is for authentication (digitalSignature, not nonRepudiation). */
  private authKey(session: Pkcs11Js.Handle): { key: Pkcs11Js.Handle; certificateDer: Uint8Array; type: 'RSA' | 'EC'; curveBytes?: number } {
    const { p, lib } = this;
    const find = (template: Pkcs11Js.Template): Pkcs11Js.Handle[] =>
      this.call(() => {
        lib.C_FindObjectsInit(session, template);
        try {
          return lib.C_FindObjects(session, 32);
        } finally {
          lib.C_FindObjectsFinal(session);
        }
      });
    const idOf = (h: Pkcs11Js.Handle) => this.call(() => lib.C_GetAttributeValue(session, h, [{ type: p.CKA_ID }])[0]!.value as Buffer).toString('hex');
    const certs = find([{ type: p.CKA_CLASS, value: p.CKO_CERTIFICATE }]).map((h) => ({
      id: idOf(h),
      der: new Uint8Array(this.call(() => lib.C_GetAttributeValue(session, h, [{ type: p.CKA_VALUE }])[0]!.value as Buffer)),
    }));
    for (const key of find([{ type: p.CKA_CLASS, value: p.CKO_PRIVATE_KEY }, { type: p.CKA_SIGN, value: true }])) {
      const cert = certs.find((c) => c.id === idOf(key));
      if (!cert || !isAuthCertificate(cert.der)) continue;
      const pub = new X509Certificate(cert.der).publicKey;
      if (pub.asymmetricKeyType !== 'ec') return { key, certificateDer: cert.der, type: 'RSA' };
      const curve = pub.asymmetricKeyDetails?.namedCurve;
      return { key, certificateDer: cert.der, type: 'EC', curveBytes: curve === 'secp384r1' ? 48 : curve === 'secp521r1' ? 66 : 32 };
    }
    throw new AppFailure('CARD_ERROR', 'Kortet har ingen legitimeringsnyckel med certifikat.');
  }

  private loginFailure(slot: Pkcs11Js.Handle, e: unknown): AppFailure {
    const { p } = this;
    const code = (e as { code?: number }).code;
    if (code === p.CKR_PIN_LOCKED) return pinBlocked();
    if (code !== p.CKR_PIN_INCORRECT && code !== p.CKR_PIN_INVALID && code !== p.CKR_PIN_LEN_RANGE) return this.failure(e);
    const flags = this.tokenFlags(slot);
    if (flags & p.CKF_USER_PIN_LOCKED) return pinBlocked();
    if (flags & p.CKF_USER_PIN_FINAL_TRY) return new AppFailure('PIN_WRONG', 'Fel PIN-kod. 1 försök kvar innan kortet spärras.', { triesLeft: 1 });
    if (flags & p.CKF_USER_PIN_COUNT_LOW) return new AppFailure('PIN_WRONG', 'Fel PIN-kod. Få försök kvar innan kortet spärras.', { countLow: true });
    return new AppFailure('PIN_WRONG', 'Fel PIN-kod.', {});
  }

  /** A module error: a token that is gone is CARD_REMOVED, everything else CARD_ERROR with the CKR name. */
  private failure(e: unknown): AppFailure {
    if (e instanceof AppFailure) return e;
    const { p } = this;
    const code = (e as { code?: number }).code;
    if (code === p.CKR_TOKEN_NOT_PRESENT || code === p.CKR_DEVICE_REMOVED || code === p.CKR_SESSION_HANDLE_INVALID || code === p.CKR_GENERAL_ERROR)
      return new AppFailure('CARD_REMOVED', 'Kortet togs ut.');
    return new AppFailure('CARD_ERROR', 'Kortmodulen svarade med ett fel.', { ckr: (e as Error).message });
  }

  private call<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw this.failure(e);
    }
  }

  private slotOf(reader: string): Pkcs11Js.Handle {
    const s = this.slots.get(reader);
    if (!s) throw new AppFailure('NO_READER', 'Kortläsaren finns inte.', { reader });
    if (!s.present) throw new AppFailure('NO_CARD', 'Inget kort i läsaren.', { reader });
    return s.slot;
  }

  private tokenFlags(slot: Pkcs11Js.Handle): number {
    return this.call(() => this.lib.C_GetTokenInfo(slot).flags);
  }

  /** Reads every slot and its token; emits what changed since the last poll. */
  private poll(): void {
    const { p, lib } = this;
    const seen = new Map<string, { slot: Pkcs11Js.Handle; present: boolean }>();
    let slots: Pkcs11Js.Handle[] = [];
    try {
      slots = lib.C_GetSlotList(false);
    } catch {
      slots = [];
    }
    for (const slot of slots) {
      try {
        const info = lib.C_GetSlotInfo(slot);
        let present = (info.flags & CKF_TOKEN_PRESENT) !== 0;
        let name = info.slotDescription.trim();
        if (present) {
          try {
            const token = lib.C_GetTokenInfo(slot);
            // An uninitialised token (SoftHSM's free slot, a blank card) is no card to log in with.
            present = (token.flags & p.CKF_TOKEN_INITIALIZED) !== 0;
          } catch {
            present = false;
          }
        }
        if (seen.has(name)) name = `${name} (${Buffer.from(slot).toString('hex')})`;
        seen.set(name, { slot, present });
      } catch {
        // a slot that cannot be read is left out
      }
    }
    const events: CardEvent[] = [];
    for (const [name, s] of seen) {
      const before = this.slots.get(name);
      if (!before) events.push({ type: 'reader-added', reader: name });
      if (s.present && !before?.present) events.push({ type: 'card-inserted', reader: name, atrHex: '' });
      if (!s.present && before?.present) events.push({ type: 'card-removed', reader: name });
    }
    for (const [name, before] of this.slots) {
      if (seen.has(name)) continue;
      if (before.present) events.push({ type: 'card-removed', reader: name });
      events.push({ type: 'reader-removed', reader: name });
    }
    this.slots = seen;
    for (const e of events) for (const l of [...this.listeners]) l(e);
  }
}

function isAuthCertificate(der: Uint8Array): boolean {
  try {
    const ku = new x509.X509Certificate(Buffer.from(der)).getExtension(x509.KeyUsagesExtension);
    if (!ku) return true;
    return (ku.usages & x509.KeyUsageFlags.digitalSignature) !== 0 && (ku.usages & x509.KeyUsageFlags.nonRepudiation) === 0;
  } catch {
    return false;
  }
}
