import { constants, privateEncrypt, timingSafeEqual } from 'node:crypto';
import { p256, p384 } from '@noble/curves/nist.js';
import { decodeApdu, fromHex, type Apdu } from '../apdu/command';
import { concat, int, tlv } from '../der/writer';
import type { CardFile } from './card-file';
import { PIN_PAD, PIN_REF, PIN_STORED_LENGTH, PUK_REF, buildImage, isRsa, type SoftFile, type SoftImage, type SoftKey } from './image';
import { PIV_PIN_PADDING, PIV_PIN_REF, PIV_PUK_REF, isPivAid, pivGeneralAuthenticate, pivGetData, pivObjects, pivSelectAnswer } from './piv-applet';

/**
 * A PKCS#15 smart card in software, driven by APDUs: SELECT, READ BINARY, VERIFY (retry counter),
 * RESET RETRY COUNTER (PUK), MSE SET, PSO COMPUTE DIGITAL SIGNATURE, GET RESPONSE. Real keys,
 * real DER, real signatures; the retry counters are persisted through `persist` before the card
 * answers. Test and demo material only: the keys sit in the clear in the card file.
 */
export interface SoftCardOptions {
  /** Called with the updated card file whenever a retry counter or PIN changes; awaited before answering. */
  persist?: (card: CardFile) => Promise<void>;
}

const sw = (w: number): Uint8Array => Uint8Array.of(w >> 8, w & 0xff);

const RSA_ALG = 0x02;
const EC_ALG = 0x04;
/** GET RESPONSE chunk when behaving like a T=0 card, small enough that certificates need several. */
const GET_RESPONSE_CHUNK = 0x80;

interface Counter {
  value: string;
  triesLeft: number;
  maxTries: number;
}

export class SoftCard {
  readonly atr: Uint8Array;
  private readonly image: SoftImage;
  private card: CardFile;
  private powered = false;
  private currentDf: SoftFile;
  private parentOf = new Map<SoftFile, SoftFile>();
  private currentEf: SoftFile | undefined;
  private pinVerified = false;
  private env: { alg: number; key: SoftKey } | undefined;
  private pending: { data: Uint8Array; sw: number } | undefined;
  private wrongLeUsed = false;
  /** Command chaining (CLA b5): the data of the parts so far, with the header they came with. */
  private chained: { head: number[]; data: Uint8Array } | undefined;
  /** Bumped on power off / reset: a slow command started before it never answers. */
  private epoch = 0;
  /** The PIV applet's data objects when the card has one (behaviour `pivApplet`), and whether it is the selected application. */
  private readonly pivData: Map<string, Uint8Array> | undefined;
  private pivSelected = false;

  constructor(
    card: CardFile,
    private readonly opts: SoftCardOptions = {},
  ) {
    this.card = structuredClone(card);
    this.atr = fromHex(card.atrHex);
    this.image = buildImage(card);
    this.pivData = card.behaviour.pivApplet ? pivObjects(card) : undefined;
    this.currentDf = this.image.mf;
    const index = (df: SoftFile): void => {
      for (const c of df.children ?? []) {
        this.parentOf.set(c, df);
        if (c.kind === 'DF') index(c);
      }
    };
    index(this.image.mf);
  }

  get label(): string {
    return this.card.label;
  }

  /** Current state of the card file (with counters as the card holds them). */
  get cardFile(): CardFile {
    return structuredClone(this.card);
  }

  powerOn(): void {
    this.resetState();
    this.powered = true;
  }

  powerOff(): void {
    this.resetState();
    this.powered = false;
  }

  reset(): void {
    this.powerOn();
  }

  private resetState(): void {
    this.epoch++;
    this.currentDf = this.image.mf;
    this.currentEf = undefined;
    this.pinVerified = false;
    this.env = undefined;
    this.pending = undefined;
    this.wrongLeUsed = false;
    this.chained = undefined;
    this.pivSelected = false;
  }

  /**
   * Processes one command APDU and returns the response APDU, or undefined when the card was
   * reset or powered off while it was working (the answer is lost, as on a real card).
   */
  async process(bytes: Uint8Array): Promise<Uint8Array | undefined> {
    if (!this.powered) this.powerOn();
    const epoch = this.epoch;
    // Extended length: Lc or Le in three bytes, flagged by a 00 after the header (ISO 7816-4 §5.1).
    if (!this.card.behaviour.extendedLength && bytes.length >= 7 && bytes[4] === 0) return sw(0x6700);
    let cmd: Apdu;
    try {
      cmd = decodeApdu(bytes);
    } catch {
      return sw(0x6700);
    }
    // Command chaining (ISO/IEC 7816-4 §5.1.1.1): collect the parts, run the command on the last.
    if (cmd.cla & 0x10) {
      const head = [cmd.cla & ~0x10, cmd.ins, cmd.p1, cmd.p2];
      if (this.chained && this.chained.head.some((x, i) => x !== head[i])) this.chained = undefined;
      this.chained = { head, data: concat(this.chained?.data ?? new Uint8Array(0), cmd.data ?? new Uint8Array(0)) };
      return this.chained.data.length > 4096 ? ((this.chained = undefined), sw(0x6700)) : sw(0x9000);
    }
    if (this.chained) {
      const same = this.chained.head.every((x, i) => x === [cmd.cla, cmd.ins, cmd.p1, cmd.p2][i]);
      if (same) cmd = { ...cmd, data: concat(this.chained.data, cmd.data ?? new Uint8Array(0)) };
      this.chained = undefined;
      if (!same) return sw(0x6883); // last command of the chain expected
    }
    let res: { data?: Uint8Array; sw: number };
    try {
      res = await this.dispatch(cmd, epoch);
    } catch {
      res = { sw: 0x6f00 };
    }
    if (epoch !== this.epoch) return undefined;
    const data = res.data ?? new Uint8Array(0);
    if (this.card.behaviour.useGetResponse && data.length > 0 && cmd.ins !== 0xc0) {
      this.pending = { data, sw: res.sw };
      return sw(0x6100 | (Math.min(data.length, GET_RESPONSE_CHUNK) & 0xff));
    }
    // More than a short Le allows (an RSA-3072 signature to Le 00): Le bytes now, the rest by GET RESPONSE.
    if (cmd.le !== undefined && data.length > cmd.le && cmd.ins !== 0xc0) {
      this.pending = { data: data.subarray(cmd.le), sw: res.sw };
      return concat(data.subarray(0, cmd.le), sw(0x6100 | (Math.min(data.length - cmd.le, 256) & 0xff)));
    }
    return concat(data, sw(res.sw));
  }

  private async dispatch(c: Apdu, epoch: number): Promise<{ data?: Uint8Array; sw: number }> {
    if (c.ins === 0xc0) return this.getResponse(c);
    this.pending = undefined;
    if (c.cla !== 0x00) return { sw: 0x6e00 };
    switch (c.ins) {
      case 0xa4:
        return this.select(c);
      case 0xb0:
        return this.readBinary(c);
      case 0x20:
        return this.verify(c);
      case 0x2c:
        return this.resetRetryCounter(c);
      case 0x22:
        return this.mseSet(c);
      case 0x2a:
        return this.pso(c, epoch);
      case 0xcb:
        return this.pivData && this.pivSelected ? pivGetData(c, this.pivData) : { sw: 0x6d00 };
      case 0x87:
        if (!this.pivData || !this.pivSelected) return { sw: 0x6d00 };
        return this.pinVerified ? pivGeneralAuthenticate(c, this.image.keys) : { sw: 0x6982 };
      default:
        return { sw: 0x6d00 };
    }
  }

  private getResponse(c: Apdu): { data?: Uint8Array; sw: number } {
    if (!this.pending) return { sw: 0x6985 };
    const n = Math.min(c.le ?? 256, this.pending.data.length);
    const data = this.pending.data.slice(0, n);
    const rest = this.pending.data.subarray(n);
    if (rest.length > 0) {
      this.pending = { data: rest, sw: this.pending.sw };
      return { data, sw: 0x6100 | (Math.min(rest.length, GET_RESPONSE_CHUNK) & 0xff) };
    }
    const last = this.pending.sw;
    this.pending = undefined;
    return { data, sw: last };
  }

  // --- SELECT ------------------------------------------------------------------------------

  private select(c: Apdu): { data?: Uint8Array; sw: number } {
    const data = c.data ?? new Uint8Array(0);
    if (this.pivData && c.p1 === 0x04 && isPivAid(data)) {
      this.pivSelected = true;
      return { data: pivSelectAnswer(), sw: 0x9000 };
    }
    this.pivSelected = false;
    let target: SoftFile | undefined;
    switch (c.p1) {
      case 0x04:
        target = this.findByName(this.image.mf, data);
        break;
      case 0x00:
        if (data.length === 0 || (data.length === 2 && data[0] === 0x3f && data[1] === 0x00)) target = this.image.mf;
        else if (data.length === 2) target = this.findFid(fid(data, 0));
        break;
      case 0x01:
      case 0x02:
        if (data.length === 2) target = this.child(this.currentDf, fid(data, 0), c.p1 === 0x01 ? 'DF' : 'EF');
        break;
      case 0x08:
      case 0x09:
        target = this.walk(c.p1 === 0x08 ? this.image.mf : this.currentDf, data);
        break;
      default:
        return { sw: 0x6a86 };
    }
    if (!target) return { sw: 0x6a82 };
    if (target.kind === 'DF') {
      this.currentDf = target;
      this.currentEf = undefined;
    } else {
      this.currentDf = this.parentOf.get(target) ?? this.image.mf;
      this.currentEf = target;
    }
    if ((c.p2 & 0x0c) === 0x0c) return { sw: 0x9000 };
    return { data: this.fcp(target, c.p2 & 0x0c), sw: 0x9000 };
  }

  private fcp(f: SoftFile, p2: number): Uint8Array {
    const fields = [tlv(0x82, Uint8Array.of(f.kind === 'DF' ? 0x38 : 0x01)), tlv(0x83, Uint8Array.of(f.fid >> 8, f.fid & 0xff))];
    // Without sizes, EF.ODF and EF.TokenInfo still carry theirs: OpenSC's default driver (our oracle) refuses an ODF of unknown size.
    if (f.kind === 'EF' && (this.card.behaviour.fcpFileSize || f.fid === 0x5031 || f.fid === 0x5032))
      fields.unshift(tlv(0x80, int(f.data!.length).subarray(2)));
    if (f.name) fields.push(tlv(0x84, f.name));
    return tlv(p2 === 0x00 ? 0x6f : 0x62, ...fields);
  }

  private findByName(df: SoftFile, name: Uint8Array): SoftFile | undefined {
    if (df.name && equal(df.name, name)) return df;
    for (const c of df.children ?? []) {
      if (c.kind !== 'DF') continue;
      const f = this.findByName(c, name);
      if (f) return f;
    }
    return undefined;
  }

  private child(df: SoftFile, id: number, kind?: 'DF' | 'EF'): SoftFile | undefined {
    return df.children?.find((f) => f.fid === id && (!kind || f.kind === kind));
  }

  private findFid(id: number): SoftFile | undefined {
    // ISO 7816-4 §7.1.1: a child of the current DF, the current DF's parent, or a child of the MF.
    const parent = this.parentOf.get(this.currentDf);
    return this.child(this.currentDf, id) ?? (parent && parent.fid === id ? parent : undefined) ?? this.child(this.image.mf, id);
  }

  private walk(from: SoftFile, path: Uint8Array): SoftFile | undefined {
    if (path.length === 0 || path.length % 2) return undefined;
    let f: SoftFile | undefined = from;
    for (let i = 0; i < path.length && f; i += 2) f = f.kind === 'DF' ? this.child(f, fid(path, i)) : undefined;
    return f;
  }

  // --- READ BINARY -------------------------------------------------------------------------

  private readBinary(c: Apdu): { data?: Uint8Array; sw: number } {
    if (c.p1 & 0x80) return { sw: 0x6981 }; // short EF identifiers are not supported
    const ef = this.currentEf;
    if (!ef?.data) return { sw: 0x6986 };
    const offset = (c.p1 << 8) | c.p2;
    const le = c.le ?? 256;
    if (offset > ef.data.length) return { sw: 0x6b00 };
    const available = ef.data.length - offset;
    if (available === 0) return { sw: 0x6282 };
    const b = this.card.behaviour;
    // What this card returns at most for one READ BINARY (its buffer), answered with 9000.
    const n = Math.min(available, b.maxReadBinary);
    if (b.exactLe && le !== n) return { sw: 0x6c00 | (n & 0xff) };
    if (b.wrongLeFirst && !this.wrongLeUsed) {
      // Once per power-up: "wrong length, use xx" — what it will return, or one byte less when Le fits exactly.
      this.wrongLeUsed = true;
      const xx = le !== Math.min(le, n) ? n : Math.max(1, le - 1);
      return { sw: 0x6c00 | (xx & 0xff) };
    }
    const data = ef.data.slice(offset, offset + Math.min(le, n));
    // 6282: the end of the file came before Le bytes; a capped answer inside the file is 9000.
    return { data, sw: data.length < le && offset + data.length === ef.data.length ? 0x6282 : 0x9000 };
  }

  // --- PIN ---------------------------------------------------------------------------------

  private counter(ref: number): Counter | undefined {
    // The PIV applet's references (80 PIN, 81 PUK) are not the PKCS#15 application's (81 PIN, 82 PUK); the counters are shared.
    if (ref === (this.pivSelected ? PIV_PIN_REF : PIN_REF)) return this.card.pin;
    if (ref === (this.pivSelected ? PIV_PUK_REF : PUK_REF)) return this.card.puk;
    return undefined;
  }

  private async verify(c: Apdu): Promise<{ sw: number }> {
    if (c.p1 !== 0x00) return { sw: 0x6a86 };
    const counter = this.counter(c.p2);
    if (!counter) return { sw: 0x6a88 };
    const isPin = counter === this.card.pin;
    if (!c.data) {
      if (isPin && this.pinVerified) return { sw: 0x9000 };
      return { sw: counter.triesLeft === 0 ? 0x6983 : 0x63c0 | counter.triesLeft };
    }
    if (c.data.length > PIN_STORED_LENGTH) return { sw: 0x6700 };
    if (counter.triesLeft === 0) return { sw: 0x6983 };
    // The card takes the PIN only in the format its AODF announces; anything else is refused, not counted.
    const typed = unpadAs(c.data, this.pivSelected ? PIV_PIN_PADDING : isPin ? this.card.behaviour.pinPadding : PUK_PADDING);
    if (!typed) return { sw: 0x6a80 };
    const good = matches(counter.value, typed);
    if (good) {
      if (isPin) this.pinVerified = true;
      if (counter.triesLeft !== counter.maxTries) {
        counter.triesLeft = counter.maxTries;
        await this.save();
      }
      return { sw: 0x9000 };
    }
    if (isPin) this.pinVerified = false;
    counter.triesLeft -= 1;
    await this.save();
    return { sw: 0x63c0 | counter.triesLeft };
  }

  private async resetRetryCounter(c: Apdu): Promise<{ sw: number }> {
    if (c.p2 !== PIN_REF) return { sw: 0x6a88 };
    if ((c.p1 !== 0x00 && c.p1 !== 0x01) || !c.data) return { sw: 0x6a86 };
    const puk = this.card.puk;
    if (puk.triesLeft === 0) return { sw: 0x6983 };
    const pukPart = c.p1 === 0x00 ? c.data.subarray(0, PIN_STORED_LENGTH) : c.data;
    const newPin = c.p1 === 0x00 ? unpad(c.data.subarray(PIN_STORED_LENGTH)) : undefined;
    if (c.p1 === 0x00 && (c.data.length !== 2 * PIN_STORED_LENGTH || !newPin || !/^\d{4,12}$/.test(ascii(newPin)))) return { sw: 0x6a80 };
    if (!matches(puk.value, unpad(pukPart))) {
      puk.triesLeft -= 1;
      await this.save();
      return { sw: 0x63c0 | puk.triesLeft };
    }
    puk.triesLeft = puk.maxTries;
    this.card.pin.triesLeft = this.card.pin.maxTries;
    if (newPin) this.card.pin.value = ascii(newPin);
    this.pinVerified = false;
    await this.save();
    return { sw: 0x9000 };
  }

  private async save(): Promise<void> {
    await this.opts.persist?.(structuredClone(this.card));
  }

  // --- signing -----------------------------------------------------------------------------

  private mseSet(c: Apdu): { sw: number } {
    if (c.p1 !== 0x41 || c.p2 !== 0xb6 || !c.data) return { sw: 0x6a86 };
    let alg: number | undefined;
    let ref: number | undefined;
    for (let i = 0; i + 1 < c.data.length; ) {
      const t = c.data[i]!;
      const l = c.data[i + 1]!;
      if (i + 2 + l > c.data.length) return { sw: 0x6a80 };
      if (t === 0x80 && l === 1) alg = c.data[i + 2];
      if (t === 0x84 && l === 1) ref = c.data[i + 2];
      i += 2 + l;
    }
    const key = this.image.keys.find((k) => k.reference === ref);
    if (!key) return { sw: 0x6a88 };
    const wanted = key.algRef ?? (isRsa(key.algorithm) ? RSA_ALG : EC_ALG);
    // Without '80' the key's own algorithm applies (as on cards whose keys have one; OpenSC's default driver sends none).
    if (alg !== undefined && alg !== wanted) return { sw: 0x6a80 };
    this.env = { alg: wanted, key };
    return { sw: 0x9000 };
  }

  private async pso(c: Apdu, epoch: number): Promise<{ data?: Uint8Array; sw: number }> {
    if (c.p1 !== 0x9e || c.p2 !== 0x9a) return { sw: 0x6a86 };
    if (!this.env) return { sw: 0x6985 };
    if (!this.pinVerified) return { sw: 0x6982 };
    const input = c.data;
    if (!input) return { sw: 0x6700 };
    const delay = this.card.behaviour.signDelayMs;
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (epoch !== this.epoch) return { sw: 0x6f00 };
    const { key } = this.env;
    if (isRsa(key.algorithm)) {
      if (input.length > (key.privateKey.asymmetricKeyDetails?.modulusLength ?? 2048) / 8 - 11) return { sw: 0x6700 };
      // RSA PKCS#1 v1.5 signature = private-key operation with block type 1 over the DigestInfo.
      return { data: new Uint8Array(privateEncrypt({ key: key.privateKey, padding: constants.RSA_PKCS1_PADDING }, input)), sw: 0x9000 };
    }
    if (input.length < 20 || input.length > 64) return { sw: 0x6700 };
    // node:crypto always hashes its input; @noble/curves signs the prehashed digest (constant-time, audited).
    const d = Buffer.from(key.privateKey.export({ format: 'jwk' }).d ?? '', 'base64url');
    try {
      return { data: (key.algorithm === 'EC-P384' ? p384 : p256).sign(input, d, { prehash: false }), sw: 0x9000 };
    } finally {
      d.fill(0);
    }
  }
}

const fid = (b: Uint8Array, i: number): number => (b[i]! << 8) | b[i + 1]!;
const equal = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const ascii = (b: Uint8Array): string => String.fromCharCode(...b);

const PUK_PADDING = { char: PIN_PAD, length: PIN_STORED_LENGTH };

function unpad(b: Uint8Array, char = PIN_PAD): Uint8Array {
  let n = b.length;
  while (n > 0 && b[n - 1] === char) n--;
  return b.subarray(0, n);
}

/** The typed digits from a VERIFY block padded as `pad` says (exactly `length` bytes), or undefined when it is not. */
function unpadAs(b: Uint8Array, pad: { char: number; length: number } | null): Uint8Array | undefined {
  const digits = pad ? (b.length === pad.length ? unpad(b, pad.char) : undefined) : b;
  return digits && digits.length >= 4 && digits.every((x) => x >= 0x30 && x <= 0x39) ? digits : undefined;
}

function matches(expected: string, got: Uint8Array): boolean {
  const want = Buffer.from(expected, 'ascii');
  return want.length === got.length && timingSafeEqual(want, got);
}
