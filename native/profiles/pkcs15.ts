import { X509Certificate } from 'node:crypto';
import { AppFailure } from '#contract';
import { efAtrExtendedLength } from '../apdu/atr';
import { fromHex } from '../apdu/command';
import { readBinary, selectPath } from '../apdu/file';
import type { ApduSession } from '../apdu/session';
import { ALLOW, SW } from '../apdu/status';
import { DerCursor, TAG, children, readTlv } from '../der/reader';
import { checkPinFormat, checkVerifyResult, encodePin, pinBlocked, pinStatusFromSw, wipe, type PinStatus } from '../pin';
import {
  PIN_FLAG,
  parseAodf,
  parseCdf,
  parseOdf,
  parsePrkdf,
  parsePukdf,
  pickAuthKey,
  sameId,
  type CertificateInfo,
  type Odf,
  type PinInfo,
  type PrivateKeyInfo,
  type PublicKeyInfo,
} from './pkcs15-objects';
import { checkDigestLengths, pickDigest, type CardProfile, type DigestsByHash, type HashAlgorithm, type ProfileEntry, type SignResult, type SignatureAlgorithm } from './profile';

/** The PKCS#15 application identifier: RID A000000063 + "PKCS-15". */
export const PKCS15_AID = fromHex('A000000063504B43532D3135');
export const EF_ODF = fromHex('5031');
/** EF.DIR (the applications on the card) and EF.ATR/INFO (card capabilities), under the MF. */
export const EF_DIR_PATH = fromHex('3F002F00');
export const EF_ATR_PATH = fromHex('3F002F01');
export const EF_TOKEN_INFO = fromHex('5032');

/**
 * MSE SET algorithm references this profile sends (ISO 7816-8 leaves them to the card; these are
 * the values the software card implements and the common IAS/PKCS#15 choice):
 * 02 = RSA PKCS#1 v1.5, the host sends the DigestInfo; 04 = ECDSA over a hash sent by the host.
 */
export const ALG_REF = { RSA_PKCS1_DIGESTINFO: 0x02, ECDSA_PLAIN_HASH: 0x04 } as const;

const DIGEST_INFO_PREFIX: Record<HashAlgorithm, Uint8Array> = {
  'SHA-256': fromHex('3031300d060960864801650304020105000420'),
  'SHA-384': fromHex('3041300d060960864801650304020205000430'),
};

/** What login needs from the directory files: the authentication key and its PIN (ODF → PrKDF → AODF). */
interface KeyAndPin {
  odf: Odf;
  pin: PinInfo;
  key: PrivateKeyInfo;
}

/** Every object the PKCS#15 application lists, with the certificates and public keys read (for tools and tests). */
export interface Pkcs15Objects {
  pins: PinInfo[];
  privateKeys: PrivateKeyInfo[];
  publicKeys: (PublicKeyInfo & { der?: Uint8Array })[];
  certificates: (CertificateInfo & { der: Uint8Array })[];
}

/** ISO/IEC 7816-15 as on SITHS / eTjänstekort cards. */
export class Pkcs15Profile implements CardProfile {
  readonly name = 'PKCS#15';

  async readCertificate(session: ApduSession): Promise<Uint8Array> {
    const odf = await this.selectApplication(session);
    const key = await this.authKey(session, odf);
    return this.readCert(session, await this.certPath(session, odf, key));
  }

  async pinStatus(session: ApduSession): Promise<PinStatus> {
    const { pin } = await this.keyAndPin(session);
    return this.queryPin(session, pin);
  }

  /**
   * PIN first, then everything else: the retry counter and VERIFY come before the certificate is
   * read, so a wrong PIN is always reported with the tries left, whatever fails later.
   */
  async sign(session: ApduSession, pin: Uint8Array, digests: Uint8Array | DigestsByHash, givenAlg: HashAlgorithm): Promise<SignResult> {
    checkDigestLengths(digests, givenAlg);
    const { odf, pin: pinInfo, key } = await this.keyAndPin(session, { capabilities: true });
    checkPinFormat(pin, pinInfo);

    // Read the retry counter first: a blocked PIN is never sent to the card.
    const before = await this.queryPin(session, pinInfo);
    if (before.blocked) throw pinBlocked();
    // VERIFY even when the card says it is already verified: the person at the keyboard must know the PIN.
    const encoded = encodePin(pin, { storedLength: pinInfo.storedLength, padChar: pinInfo.padChar, needsPadding: pinInfo.flags.has(PIN_FLAG.needsPadding) });
    try {
      const res = await session.send({ cla: 0, ins: 0x20, p1: 0, p2: pinInfo.reference, data: encoded }, ALLOW.verify);
      checkVerifyResult(res.sw);
    } finally {
      wipe(encoded);
    }

    const certificateDer = await this.readCert(session, await this.certPath(session, odf, key));
    const keyKind = publicKeyKind(certificateDer);
    const { hash, hashAlg } = pickDigest(digests, givenAlg, { type: keyKind.type, curveBytes: keyKind.size });
    const keyRef = key.keyReference;
    if (keyRef === undefined) throw new AppFailure('CARD_ERROR', 'Kortets nyckel saknar nyckelreferens.');
    // The PrKDF's algReference wins (ISO/IEC 7816-15): some cards want their own number for the same algorithm.
    const algRef = key.algReferences?.[0] ?? (keyKind.type === 'RSA' ? ALG_REF.RSA_PKCS1_DIGESTINFO : ALG_REF.ECDSA_PLAIN_HASH);
    // MSE SET, digital signature template (B6): 80 = algorithm reference, 84 = private key reference.
    await session.send({ cla: 0, ins: 0x22, p1: 0x41, p2: 0xb6, data: Uint8Array.of(0x80, 1, algRef, 0x84, 1, keyRef) });
    const input = keyKind.type === 'RSA' ? concat(DIGEST_INFO_PREFIX[hashAlg], hash) : hash;
    // PSO COMPUTE DIGITAL SIGNATURE.
    const res = await session.send({ cla: 0, ins: 0x2a, p1: 0x9e, p2: 0x9a, data: input, le: keyKind.type === 'RSA' ? Math.min(keyKind.size, 65536) : 256 }, ALLOW.sign);
    if (res.sw === SW.SECURITY_STATUS) throw new AppFailure('CARD_ERROR', 'Kortet vägrade signera: PIN-koden är inte verifierad.', { sw: '6982' });

    let signature: Uint8Array;
    let algorithm: SignatureAlgorithm;
    if (keyKind.type === 'RSA') {
      if (res.data.length !== keyKind.size) throw new AppFailure('CARD_ERROR', 'Kortets signatur har fel längd.', { length: res.data.length, expected: keyKind.size });
      signature = res.data;
      algorithm = hashAlg === 'SHA-256' ? 'RS256' : 'RS384';
    } else {
      signature = ecdsaToRaw(res.data, keyKind.size);
      algorithm = hashAlg === 'SHA-256' ? 'ES256' : 'ES384';
    }
    return { signature, algorithm, certificateDer };
  }

  /** Every PIN, key and certificate the application lists, certificates and public key files read. */
  async readObjects(session: ApduSession): Promise<Pkcs15Objects> {
    const odf = await this.selectApplication(session);
    const all = async <T>(paths: Uint8Array[] | undefined, parse: (b: Uint8Array) => T[]): Promise<T[]> => {
      const out: T[] = [];
      for (const p of paths ?? []) out.push(...parse(await this.readFile(session, p)));
      return out;
    };
    const pins = await all(odf.authObjects, parseAodf);
    const privateKeys = await all(odf.privateKeys, parsePrkdf);
    const publicKeys = [];
    for (const k of await all(odf.publicKeys, parsePukdf)) publicKeys.push(k.path ? { ...k, der: await this.readCert(session, k.path) } : k);
    const certificates = [];
    for (const c of await all(odf.certificates, parseCdf)) certificates.push({ ...c, der: await this.readCert(session, c.path) });
    return { pins, privateKeys, publicKeys, certificates };
  }

  private async queryPin(session: ApduSession, pin: PinInfo): Promise<PinStatus> {
    const res = await session.send({ cla: 0, ins: 0x20, p1: 0, p2: pin.reference }, ALLOW.verify);
    return pinStatusFromSw(res.sw);
  }

  /**
   * Finds the PKCS#15 application and reads its EF.ODF: the application the card's EF.DIR lists
   * (any AID, or a path; ISO/IEC 7816-15 §5.4 / 7816-4 §8.2.1.1), the known PKCS#15 AID as the
   * fallback for a card without EF.DIR. An entry whose application cannot be selected or has no
   * EF.ODF is passed over. The application found is kept in the session's hints (per ATR), so the
   * next operation selects it directly (and looks again if that fails). With `capabilities`
   * (signing: the only command that may need more than a short APDU) it first reads EF.ATR when
   * the ATR did not say whether the card takes extended-length APDUs — at the MF, before the
   * application is selected, so no DF-local PIN or key reference is disturbed.
   */
  private async selectApplication(session: ApduSession, opts: { capabilities?: boolean } = {}): Promise<Odf> {
    if (opts.capabilities && session.extendedLength === undefined) {
      const ext = await optionalFile(session, EF_ATR_PATH).then((d) => (d ? efAtrExtendedLength(d) : undefined));
      session.extendedLength = ext ?? false;
    }
    const known = session.hints.application;
    if (known) {
      const odf = await this.tryApplication(session, known);
      if (odf) return odf;
    }
    const candidates = [...parseEfDir((await optionalFile(session, EF_DIR_PATH)) ?? new Uint8Array(0))];
    if (!candidates.some((c) => c.aid && sameId(c.aid, PKCS15_AID))) candidates.push({ aid: PKCS15_AID });
    for (const app of candidates) {
      const odf = await this.tryApplication(session, app);
      if (odf) {
        session.hints.application = app;
        return odf;
      }
    }
    throw new AppFailure('CARD_ERROR', 'Kortet har ingen PKCS#15-applikation (inte ett e-tjänstekort?).', { sw: '6A82' });
  }

  /** Selects the application (by AID, else by path) and reads its EF.ODF; undefined when either is not found. */
  private async tryApplication(session: ApduSession, app: { aid?: Uint8Array; path?: Uint8Array }): Promise<Odf | undefined> {
    if (app.aid) {
      const sel = await session.send({ cla: 0, ins: 0xa4, p1: 0x04, p2: 0x0c, data: app.aid }, ALLOW.select);
      if (sel.sw === SW.FILE_NOT_FOUND) return undefined;
    } else if (app.path) {
      if (!(await selected(session, app.path))) return undefined;
    } else return undefined;
    const odf = await selected(session, EF_ODF);
    return odf ? parseOdf(await readBinary(session, odf.size === undefined ? {} : { size: odf.size })) : undefined;
  }

  private async authKey(session: ApduSession, odf: Odf): Promise<PrivateKeyInfo> {
    const keys = [];
    for (const p of required(odf.privateKeys, 'PrKDF')) keys.push(...parsePrkdf(await this.readFile(session, p)));
    const key = pickAuthKey(keys);
    if (!key) throw new AppFailure('CARD_ERROR', 'Kortet har ingen legitimeringsnyckel (digitalSignature).');
    return key;
  }

  private async keyAndPin(session: ApduSession, opts: { capabilities?: boolean } = {}): Promise<KeyAndPin> {
    const odf = await this.selectApplication(session, opts);
    const key = await this.authKey(session, odf);
    const pins = [];
    for (const p of required(odf.authObjects, 'AODF')) pins.push(...parseAodf(await this.readFile(session, p)));
    const pin = (key.authId && pins.find((p) => sameId(p.authId, key.authId!))) || pins.find((p) => !p.flags.has(PIN_FLAG.unblockingPin));
    if (!pin) throw new AppFailure('CARD_ERROR', 'Kortet saknar PIN-beskrivning.');
    return { odf, pin, key };
  }

  private async certPath(session: ApduSession, odf: Odf, key: PrivateKeyInfo): Promise<Uint8Array> {
    const certs = [];
    for (const p of required(odf.certificates, 'CDF')) certs.push(...parseCdf(await this.readFile(session, p)));
    const cert = certs.find((c) => sameId(c.id, key.id));
    if (!cert) throw new AppFailure('CARD_ERROR', 'Kortet saknar certifikatet till legitimeringsnyckeln.');
    return cert.path;
  }

  private async readFile(session: ApduSession, path: Uint8Array): Promise<Uint8Array> {
    const { size } = await selectPath(session, path);
    return readBinary(session, size === undefined ? {} : { size });
  }

  private async readCert(session: ApduSession, path: Uint8Array): Promise<Uint8Array> {
    const { size } = await selectPath(session, path);
    return readBinary(session, { ...(size === undefined ? {} : { size }), der: true });
  }
}

/** SELECT by path; false when the card says it is not there (6A82). */
async function selected(session: ApduSession, path: Uint8Array): Promise<{ size?: number } | false> {
  try {
    return await selectPath(session, path);
  } catch (e) {
    if (e instanceof AppFailure && e.code === 'CARD_ERROR' && (e.details as { sw?: string } | undefined)?.sw === '6A82') return false;
    throw e;
  }
}

/**
 * A file the card may not have (EF.DIR, EF.ATR, an application's EF.ODF): its content, or
 * undefined when SELECT answers 6A82 or the card refuses to read it. A card gone is still an error.
 */
async function optionalFile(session: ApduSession, path: Uint8Array): Promise<Uint8Array | undefined> {
  const file = await selected(session, path);
  if (!file) return undefined;
  try {
    return await readBinary(session, file.size === undefined ? {} : { size: file.size });
  } catch (e) {
    if (e instanceof AppFailure && e.code === 'CARD_ERROR') return undefined;
    throw e;
  }
}

/**
 * EF.DIR's application templates (ISO/IEC 7816-4 §8.2.1.1: '61' with '4F' AID, '51' path), in
 * order; padding bytes 00/FF between templates are skipped, and a malformed tail ends the list.
 */
export function parseEfDir(data: Uint8Array): { aid?: Uint8Array; path?: Uint8Array }[] {
  const apps: { aid?: Uint8Array; path?: Uint8Array }[] = [];
  let i = 0;
  while (i < data.length) {
    if (data[i] === 0x00 || data[i] === 0xff) {
      i++;
      continue;
    }
    let t;
    try {
      t = readTlv(data.subarray(i));
    } catch {
      break;
    }
    i += t.size;
    if (t.tag !== 0x61) continue;
    const app: { aid?: Uint8Array; path?: Uint8Array } = {};
    try {
      for (const c of children(t)) {
        // A legal AID is 5–16 bytes (ISO/IEC 7816-4 §8.2.1.2); a path is whole FIDs.
        if (c.tag === 0x4f && c.value.length >= 5 && c.value.length <= 16) app.aid = c.value;
        if (c.tag === 0x51 && c.value.length >= 2 && c.value.length % 2 === 0) app.path = c.value;
      }
    } catch {
      continue;
    }
    if (app.aid || app.path) apps.push(app);
  }
  return apps;
}

function required(paths: Uint8Array[] | undefined, what: string): Uint8Array[] {
  if (!paths?.length) throw new AppFailure('CARD_ERROR', `Kortet saknar ${what}.`);
  return paths;
}

export const pkcs15Entry: ProfileEntry = { name: 'PKCS#15', matches: () => true, create: () => new Pkcs15Profile() };

function publicKeyKind(der: Uint8Array): { type: 'RSA' | 'EC'; size: number } {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch {
    throw new AppFailure('CARD_ERROR', 'Certifikatet på kortet kan inte läsas.');
  }
  const key = cert.publicKey;
  const d = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') return { type: 'RSA', size: Math.ceil((d.modulusLength ?? 2048) / 8) };
  if (key.asymmetricKeyType === 'ec') {
    const size = d.namedCurve === 'prime256v1' ? 32 : d.namedCurve === 'secp384r1' ? 48 : d.namedCurve === 'secp521r1' ? 66 : 0;
    if (!size) throw new AppFailure('CARD_ERROR', 'Kortets EC-kurva stöds inte.', { curve: d.namedCurve });
    return { type: 'EC', size };
  }
  throw new AppFailure('CARD_ERROR', 'Kortets nyckeltyp stöds inte.', { type: key.asymmetricKeyType });
}

/** ECDSA signature as raw r‖s of `size` bytes each; accepts raw from the card or a DER SEQUENCE { r, s }. */
export function ecdsaToRaw(sig: Uint8Array, size: number): Uint8Array {
  if (sig.length === 2 * size) return sig;
  if (sig[0] !== TAG.SEQUENCE) throw new AppFailure('CARD_ERROR', 'Kortets ECDSA-signatur har fel format.', { length: sig.length });
  const seq = readTlv(sig);
  const c = new DerCursor(seq);
  const out = new Uint8Array(2 * size);
  [c.required(TAG.INTEGER, 'r'), c.required(TAG.INTEGER, 's')].forEach((n, i) => {
    let v = n.value;
    while (v.length > size && v[0] === 0) v = v.subarray(1);
    if (v.length > size) throw new AppFailure('CARD_ERROR', 'Kortets ECDSA-signatur har fel längd.');
    out.set(v, (i + 1) * size - v.length);
  });
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
