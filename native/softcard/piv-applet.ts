import { X509Certificate, constants, createHash, privateEncrypt } from 'node:crypto';
import { p256, p384 } from '@noble/curves/nist.js';
import { fromHex, type Apdu } from '../apdu/command';
import { tlv } from '../der/writer';
import type { CardFile } from './card-file';
import { isRsa, type SoftKey } from './image';

/**
 * A PIV applet (NIST SP 800-73-4 part 2) beside the software card's PKCS#15 application, for
 * middleware that needs a card its driver knows: OpenSC has no driver for a plain PKCS#15 card
 * that can sign (its default driver registers no algorithm), but its `PIV-II` driver signs with
 * any PIV card. The applet offers the same keys and the same PIN counter as the PKCS#15
 * application, as cards that carry both do:
 *
 *   SELECT A0 00 00 03 08 00 00 10 00 (01 00)   → application property template (61)
 *   GET DATA 00 CB 3F FF {5C tag}               → 7E discovery, 5FC102 CHUID, 5FC105 / 5FC10A certificates
 *   VERIFY 00 20 00 80 {PIN, FF to 8}           → retry counter (63Cx, 6983), Lc = 0 asks for it
 *   GENERAL AUTHENTICATE 00 87 alg key {7C{82 00, 81 challenge}} → 7C{82 signature}
 *
 * Key 9A = PIV Authentication (the card's authentication key), 9C = Digital Signature (its
 * signature key). RSA is raw (the host pads), ECDSA signs the hash it is given and answers DER.
 */
export const PIV_AID = fromHex('A000000308000010000100');
/** PIV Card Application PIN reference. */
export const PIV_PIN_REF = 0x80;
/** PIN Unblocking Key reference. */
export const PIV_PUK_REF = 0x81;
/** The PIV PIN: 4–8 digits, padded with FF to 8 bytes (SP 800-73-4 part 2 §3.2.1). */
export const PIV_PIN_PADDING = { char: 0xff, length: 8 };

const ALG: Record<number, SoftKey['algorithm']> = { 0x07: 'RSA-2048', 0x05: 'RSA-3072', 0x11: 'EC-P256', 0x14: 'EC-P384' };
const KEY_REF: Record<number, SoftKey['usage']> = { 0x9a: 'auth', 0x9c: 'sign' };

type Answer = { data?: Uint8Array; sw: number };

/** Whether `name` selects the PIV applet: the AID or its right-truncated form (at least the RID + PIX up to the version). */
export const isPivAid = (name: Uint8Array): boolean => name.length >= 9 && name.length <= PIV_AID.length && name.every((b, i) => b === PIV_AID[i]);

/** Application property template, the answer to SELECT (SP 800-73-4 part 2 §3.1.1). */
export function pivSelectAnswer(): Uint8Array {
  const algs = [0x07, 0x05, 0x11, 0x14].map((a) => tlv(0x80, Uint8Array.of(a)));
  return tlv(
    0x61,
    tlv(0x4f, PIV_AID.subarray(5)),
    tlv(0x79, tlv(0x4f, PIV_AID.subarray(0, 5))),
    tlv(0x50, new TextEncoder().encode('omsorg softcard PIV (TEST)')),
    tlv(0xac, ...algs, tlv(0x06, Uint8Array.of(0x00))),
  );
}

/** The applet's data objects, by tag (hex), built from the card file. */
export function pivObjects(card: CardFile): Map<string, Uint8Array> {
  const cert = (pem: string): Uint8Array =>
    tlv(0x53, tlv(0x70, new Uint8Array(new X509Certificate(pem).raw)), tlv(0x71, Uint8Array.of(0x00)), tlv(0xfe));
  const objects = new Map<string, Uint8Array>();
  // Discovery object: the PIV AID and the PIN usage policy "PIV PIN only" (40 00).
  objects.set('7E', tlv(0x7e, tlv(0x4f, PIV_AID), tlv(0x5f2f, Uint8Array.of(0x40, 0x00))));
  // CHUID with a GUID (OpenSC's token serial number), an expiry date and an empty signature.
  const guid = createHash('sha256').update(card.holder.hsaId).digest().subarray(0, 16);
  objects.set('5FC102', tlv(0x53, tlv(0x34, guid), tlv(0x35, new TextEncoder().encode('20351231')), tlv(0x3e), tlv(0xfe)));
  objects.set('5FC105', cert(card.auth.certificateChainPem[0]!));
  if (card.sign) objects.set('5FC10A', cert(card.sign.certificateChainPem[0]!));
  return objects;
}

/** GET DATA (00 CB 3F FF, data 5C {tag}): the object, or 6A82. */
export function pivGetData(c: Apdu, objects: Map<string, Uint8Array>): Answer {
  if (c.p1 !== 0x3f || c.p2 !== 0xff) return { sw: 0x6a86 };
  const d = c.data;
  if (!d || d.length < 3 || d[0] !== 0x5c || d[1] !== d.length - 2) return { sw: 0x6a80 };
  const obj = objects.get(Buffer.from(d.subarray(2)).toString('hex').toUpperCase());
  return obj ? { data: obj, sw: 0x9000 } : { sw: 0x6a82 };
}

/**
 * GENERAL AUTHENTICATE for a signature (SP 800-73-4 part 2 §3.2.4): P1 the algorithm, P2 the key,
 * data 7C {82 00, 81 challenge}. The caller has checked the PIN.
 */
export function pivGeneralAuthenticate(c: Apdu, keys: SoftKey[]): Answer {
  const usage = KEY_REF[c.p2];
  const key = usage && keys.find((k) => k.usage === usage);
  if (!key) return { sw: 0x6a88 };
  if (ALG[c.p1] !== key.algorithm) return { sw: 0x6a80 };
  const template = c.data && readTlv(c.data, 0);
  if (!template || template.tag !== 0x7c) return { sw: 0x6a80 };
  let challenge: Uint8Array | undefined;
  let wantsResponse = false;
  for (let p = template.start; p < template.end; ) {
    const t = readTlv(c.data!, p);
    if (!t) return { sw: 0x6a80 };
    if (t.tag === 0x81) challenge = c.data!.subarray(t.start, t.end);
    if (t.tag === 0x82 && t.end === t.start) wantsResponse = true;
    p = t.end;
  }
  if (!challenge || !wantsResponse) return { sw: 0x6a80 };
  let signature: Uint8Array;
  if (isRsa(key.algorithm)) {
    // Raw RSA over the block the host padded (PKCS#1 v1.5 type 1 with the DigestInfo): exactly the modulus length.
    if (challenge.length !== (key.privateKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8) return { sw: 0x6a80 };
    signature = new Uint8Array(privateEncrypt({ key: key.privateKey, padding: constants.RSA_NO_PADDING }, challenge));
  } else {
    if (challenge.length < 20 || challenge.length > 64) return { sw: 0x6a80 };
    const d = Buffer.from(key.privateKey.export({ format: 'jwk' }).d ?? '', 'base64url');
    try {
      signature = (key.algorithm === 'EC-P384' ? p384 : p256).sign(challenge, d, { prehash: false, format: 'der' });
    } finally {
      d.fill(0);
    }
  }
  return { data: tlv(0x7c, tlv(0x82, signature)), sw: 0x9000 };
}

/** One BER-TLV (one- or two-byte tag, definite length) at `pos`: its tag and where its value is. */
function readTlv(b: Uint8Array, pos: number): { tag: number; start: number; end: number } | undefined {
  if (pos + 2 > b.length) return undefined;
  let p = pos;
  let tag = b[p++]!;
  if ((tag & 0x1f) === 0x1f) tag = (tag << 8) | b[p++]!;
  let len = b[p++]!;
  if (len === 0x81) len = b[p++]!;
  else if (len === 0x82) {
    len = (b[p]! << 8) | b[p + 1]!;
    p += 2;
  } else if (len > 0x82) return undefined;
  return p + len <= b.length ? { tag, start: p, end: p + len } : undefined;
}

