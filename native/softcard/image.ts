import { X509Certificate, createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { fromHex } from '../apdu/command';
import { bits, bool, concat, enumerated, int, octets, seq, tlv, utf8 } from '../der/writer';
import { PKCS15_AID } from '../profiles/pkcs15';
import { KEY_USAGE, PIN_FLAG } from '../profiles/pkcs15-objects';
import type { Behaviour, CardFile, CardKey } from './card-file';

type PinPadding = Behaviour['pinPadding'];

/**
 * The software card's file system, built as real ISO/IEC 7816-15 DER from a card file:
 *
 *   MF 3F00
 *   ├─ EF.DIR 2F00            application template pointing at the PKCS#15 DF
 *   └─ DF 5015  AID A0 00 00 00 63 50 4B 43 53 2D 31 35
 *      ├─ EF.ODF 5031         → AODF, PrKDF, PuKDF, CDF (absolute paths)
 *      ├─ EF.TokenInfo 5032
 *      ├─ EF.AODF 4401        PIN (ref 81, 4–12 digits, padded as the behaviour says: FF to 12 by default) + PUK (ref 82)
 *      ├─ EF.PrKDF 4402       signature key (nonRepudiation, ref 02) first, then authentication key (sign, ref 01)
 *      ├─ EF.PuKDF 4403       public keys → their key files 4341, 4342… (absent with `minimalFiles`)
 *      ├─ EF.CDF 4404         certificates by iD (= SHA-1 of the public key), CA certificates as authority
 *      └─ EF 4331, 4332, 4333…  the certificates (DER)
 */
export interface SoftFile {
  fid: number;
  kind: 'DF' | 'EF';
  name?: Uint8Array;
  data?: Uint8Array;
  children?: SoftFile[];
}

export interface SoftKey {
  reference: number;
  algorithm: CardKey['algorithm'];
  privateKey: KeyObject;
  usage: 'auth' | 'sign';
  /** The MSE SET algorithm reference this key demands instead of the default (02 RSA, 04 ECDSA). */
  algRef?: number;
}

export interface SoftImage {
  mf: SoftFile;
  keys: SoftKey[];
}

export const PIN_REF = 0x81;
export const PUK_REF = 0x82;
export const AUTH_KEY_REF = 0x01;
export const SIGN_KEY_REF = 0x02;
export const PIN_STORED_LENGTH = 12;
export const PIN_PAD = 0xff;

const DF_PATH = fromHex('3F005015');
const path = (fid: number): Uint8Array => concat(DF_PATH, Uint8Array.of(fid >> 8, fid & 0xff));
const pathObj = (p: Uint8Array): Uint8Array => seq(octets(p));
const ef = (fid: number, data: Uint8Array): SoftFile => ({ fid, kind: 'EF', data });

/** PinAttributes: needsPadding, storedLength and padChar say how the reader must pad the PIN (none when `pad` is null). */
function pinObject(label: string, authId: number, ref: number, flags: number[], min: number, pad: PinPadding, unblockedBy?: number): Uint8Array {
  const stored = pad?.length ?? PIN_STORED_LENGTH;
  return seq(
    seq(utf8(label), bits([0]), ...(unblockedBy !== undefined ? [octets([unblockedBy])] : [])),
    seq(octets([authId])),
    tlv(
      0xa1,
      seq(
        bits(pad ? [...flags, PIN_FLAG.needsPadding] : flags),
        enumerated(1),
        int(min),
        int(stored),
        int(stored),
        int(ref, 0x80),
        ...(pad ? [octets([pad.char])] : []),
        pathObj(DF_PATH),
      ),
    ),
  );
}

function keyObject(label: string, key: CardKey, id: Uint8Array, usage: number[], ref: number, modulusBits: number, algRef?: number): Uint8Array {
  const common = seq(utf8(label), bits([0]), octets([0x01]));
  // algReference [1] SEQUENCE OF Reference (ISO/IEC 7816-15 CommonKeyAttributes): the MSE SET algorithm the key needs.
  const keyAttrs = seq(octets(id), bits(usage), bits([0, 2, 3, 4]), int(ref), ...(algRef !== undefined ? [tlv(0xa1, int(algRef))] : []));
  if (isRsa(key.algorithm)) return seq(common, keyAttrs, tlv(0xa1, seq(pathObj(DF_PATH), int(modulusBits))));
  return tlv(0xa0, common, keyAttrs, tlv(0xa1, seq(pathObj(DF_PATH))));
}

/**
 * PuKDF entry (ISO/IEC 7816-15): publicRSAKey (untagged) with value + modulusLength, publicECKey
 * [0] with value; the value is a path to an EF holding the key itself — RSAPublicKey (PKCS#1) for
 * RSA, SubjectPublicKeyInfo for EC — never the certificate.
 */
function publicKeyObject(label: string, key: CardKey, id: Uint8Array, keyPath: Uint8Array, modulusBits: number): Uint8Array {
  const common = seq(utf8(label));
  const keyAttrs = seq(octets(id), bits([6]));
  if (isRsa(key.algorithm)) return seq(common, keyAttrs, tlv(0xa1, seq(pathObj(keyPath), int(modulusBits))));
  return tlv(0xa0, common, keyAttrs, tlv(0xa1, seq(pathObj(keyPath))));
}

export const isRsa = (a: CardKey['algorithm']): boolean => a.startsWith('RSA');

/** The public key file's content: RSAPublicKey for RSA, SubjectPublicKeyInfo for EC. */
export function publicKeyFile(privateKey: KeyObject): Uint8Array {
  const pub = createPublicKey(privateKey);
  return new Uint8Array(pub.asymmetricKeyType === 'rsa' ? pub.export({ type: 'pkcs1', format: 'der' }) : pub.export({ type: 'spki', format: 'der' }));
}

const certObject = (label: string, id: Uint8Array, authority: boolean, p: Uint8Array): Uint8Array =>
  seq(seq(utf8(label)), seq(octets(id), ...(authority ? [bool(true)] : [])), tlv(0xa1, seq(pathObj(p))));

const derOf = (pem: string): Uint8Array => new Uint8Array(new X509Certificate(pem).raw);
const keyId = (pem: string): Uint8Array =>
  createHash('sha1').update(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' })).digest();

export function buildImage(card: CardFile): SoftImage {
  const keys: SoftKey[] = [];
  const prkdf: Uint8Array[] = [];
  const pukdf: Uint8Array[] = [];
  const cdf: Uint8Array[] = [];
  const certEfs: SoftFile[] = [];
  const pubEfs: SoftFile[] = [];
  let nextCertFid = 0x4331;
  let nextPubFid = 0x4341;
  const b = card.behaviour;

  const addKey = (k: CardKey, usage: 'auth' | 'sign'): void => {
    const ref = usage === 'auth' ? AUTH_KEY_REF : SIGN_KEY_REF;
    const privateKey = createPrivateKey(k.privateKeyPem);
    const leaf = k.certificateChainPem[0]!;
    const id = keyId(leaf);
    const modulusBits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
    const label = usage === 'auth' ? 'Legitimering' : 'Underskrift';
    const algRef = usage === 'auth' ? b.keyAlgReference : undefined;
    prkdf.push(keyObject(label, k, id, usage === 'auth' ? [KEY_USAGE.sign] : [KEY_USAGE.nonRepudiation], ref, modulusBits, algRef));
    const fid = nextCertFid++;
    certEfs.push(ef(fid, derOf(leaf)));
    cdf.push(certObject(label, id, false, path(fid)));
    const pubFid = nextPubFid++;
    pubEfs.push(ef(pubFid, publicKeyFile(privateKey)));
    pukdf.push(publicKeyObject(label, k, id, path(pubFid), modulusBits));
    keys.push({ reference: ref, algorithm: k.algorithm, privateKey, usage, ...(algRef !== undefined ? { algRef } : {}) });
  };
  // The signature key first, so a reader that ignores key usage would pick the wrong one.
  if (card.sign) addKey(card.sign, 'sign');
  addKey(card.auth, 'auth');
  const seen = new Set<string>();
  for (const pem of [...card.auth.certificateChainPem.slice(1), ...(card.sign?.certificateChainPem.slice(1) ?? [])]) {
    const der = derOf(pem);
    const k = Buffer.from(der).toString('hex');
    if (seen.has(k)) continue;
    seen.add(k);
    const fid = nextCertFid++;
    certEfs.push(ef(fid, der));
    cdf.push(certObject('CA', keyId(pem), true, path(fid)));
  }

  const aodf = concat(
    pinObject('PIN', 0x01, PIN_REF, [PIN_FLAG.local, PIN_FLAG.initialized], 4, b.pinPadding, 0x02),
    pinObject('PUK', 0x02, PUK_REF, [PIN_FLAG.local, PIN_FLAG.initialized, PIN_FLAG.unblockingPin], 6, { char: PIN_PAD, length: PIN_STORED_LENGTH }),
  );
  const odf = concat(
    tlv(0xa0, pathObj(path(0x4402))),
    ...(b.minimalFiles ? [] : [tlv(0xa1, pathObj(path(0x4403)))]),
    tlv(0xa4, pathObj(path(0x4404))),
    tlv(0xa8, pathObj(path(0x4401))),
  );
  const serial = createHash('sha256').update(card.holder.hsaId).digest().subarray(0, 8);
  const tokenInfo = seq(int(0), octets(serial), utf8('omsorg softcard (TEST)'), tlv(0x80, new TextEncoder().encode(card.label)), bits([1]));
  const aid = b.applicationAid ? fromHex(b.applicationAid) : PKCS15_AID;
  const dir = tlv(0x61, tlv(0x4f, aid), tlv(0x50, new TextEncoder().encode('PKCS-15')), tlv(0x51, DF_PATH));
  // EF.ATR/INFO: card capabilities '47' (ISO/IEC 7816-4 §8.1.1.2.7), third byte b7 = extended Lc/Le.
  const efAtr = tlv(0x47, Uint8Array.of(0x00, 0x00, b.extendedLength ? 0x40 : 0x00));

  const app: SoftFile = {
    fid: 0x5015,
    kind: 'DF',
    name: aid,
    children: [
      ef(0x5031, odf),
      ef(0x5032, tokenInfo),
      ef(0x4401, aodf),
      ef(0x4402, concat(...prkdf)),
      ...(b.minimalFiles ? [] : [ef(0x4403, concat(...pukdf)), ...pubEfs]),
      ef(0x4404, concat(...cdf)),
      ...certEfs,
    ],
  };
  return { mf: { fid: 0x3f00, kind: 'DF', children: [...(b.minimalFiles ? [] : [ef(0x2f00, dir), ef(0x2f01, efAtr)]), app] }, keys };
}
