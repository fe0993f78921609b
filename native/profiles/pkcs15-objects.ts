import { DerCursor, DerError, TAG, children, ctx, readBits, readInteger, readUtf8, type DerNode } from '../der/reader';

const GENERALIZED_TIME = 0x18;

/**
 * ISO/IEC 7816-15 (PKCS#15) directory files as SITHS cards carry them: EF.ODF points to the
 * AODF, PrKDF and CDF; those describe PINs, private keys and certificates. Only the fields we use
 * are read; unknown choices and extensions are skipped, malformed DER is a DerError.
 */

/** ODF choices (PKCS15Objects): [0] privateKeys … [8] authObjects. */
export const ODF_TAG = { privateKeys: 0, publicKeys: 1, certificates: 4, trustedCertificates: 5, usefulCertificates: 6, authObjects: 8 } as const;

/** KeyUsageFlags bit numbers. */
export const KEY_USAGE = { encrypt: 0, decrypt: 1, sign: 2, signRecover: 3, nonRepudiation: 9 } as const;
/** PinFlags bit numbers. */
export const PIN_FLAG = { caseSensitive: 0, local: 1, initialized: 4, needsPadding: 5, unblockingPin: 6, soPin: 7 } as const;

export type Odf = Partial<Record<keyof typeof ODF_TAG, Uint8Array[]>>;

export interface PinInfo {
  label: string;
  authId: Uint8Array;
  flags: Set<number>;
  /** 0 bcd, 1 ascii-numeric, 2 utf8, 3 half-nibble-bcd, 4 iso9564-1 */
  pinType: number;
  minLength: number;
  storedLength: number;
  maxLength: number;
  reference: number;
  padChar?: number;
}

export interface PrivateKeyInfo {
  label: string;
  kind: 'RSA' | 'EC';
  id: Uint8Array;
  usage: Set<number>;
  keyReference?: number;
  authId?: Uint8Array;
  path?: Uint8Array;
  modulusLength?: number;
  /** CommonKeyAttributes.algReference: the MSE SET algorithm reference(s) the card wants for this key. */
  algReferences?: number[];
}

export interface PublicKeyInfo {
  label: string;
  kind: 'RSA' | 'EC';
  id: Uint8Array;
  /** Path of the EF holding the key (RSAPublicKey or SubjectPublicKeyInfo); absent for a direct value. */
  path?: Uint8Array;
  modulusLength?: number;
}

export interface CertificateInfo {
  label: string;
  id: Uint8Array;
  authority: boolean;
  path: Uint8Array;
}

/** Path ::= SEQUENCE { path OCTET STRING, index INTEGER OPTIONAL, length [0] INTEGER OPTIONAL } */
function readPath(node: DerNode, c: DerCursor): Uint8Array {
  if (node.tag !== TAG.SEQUENCE) throw new DerError('expected Path', node.offset);
  return c.sub(node).required(TAG.OCTET_STRING, 'Path.path').value.slice();
}

export function parseOdf(buf: Uint8Array): Odf {
  const odf: Odf = {};
  for (const entry of children(buf)) {
    const name = (Object.keys(ODF_TAG) as (keyof typeof ODF_TAG)[]).find((k) => ctx(ODF_TAG[k]) === entry.tag);
    if (!name) continue;
    const inner = children(entry, 2)[0];
    // PathOrObjects: only the path choice is used on SITHS cards; direct objects are skipped.
    if (!inner || inner.tag !== TAG.SEQUENCE) continue;
    const path = new DerCursor(inner, 3).required(TAG.OCTET_STRING, 'Path.path').value.slice();
    (odf[name] ??= []).push(path);
  }
  return odf;
}

/** CommonObjectAttributes ::= SEQUENCE { label UTF8String OPTIONAL, flags BIT STRING OPTIONAL, authId OCTET STRING OPTIONAL, … } */
function commonObject(c: DerCursor, node: DerNode): { label: string; authId?: Uint8Array } {
  const s = c.sub(node);
  const label = s.optional(TAG.UTF8_STRING);
  s.optional(TAG.BIT_STRING);
  const authId = s.optional(TAG.OCTET_STRING);
  return { label: label ? readUtf8(label) : '', ...(authId ? { authId: authId.value.slice() } : {}) };
}

export function parseAodf(buf: Uint8Array): PinInfo[] {
  const pins: PinInfo[] = [];
  for (const obj of children(buf)) {
    if (obj.tag !== TAG.SEQUENCE) continue; // only the pin choice (biometric/external are tagged)
    const c = new DerCursor(obj, 2);
    const common = commonObject(c, c.required(TAG.SEQUENCE, 'CommonObjectAttributes'));
    const authAttrs = c.sub(c.required(TAG.SEQUENCE, 'CommonAuthenticationObjectAttributes'));
    const authId = authAttrs.required(TAG.OCTET_STRING, 'authId').value.slice();
    const type = c.find(ctx(1));
    if (!type) throw new DerError('PIN object without typeAttributes', obj.offset);
    const t = c.sub(type);
    const p = t.sub(t.required(TAG.SEQUENCE, 'PinAttributes'));
    const flags = readBits(p.required(TAG.BIT_STRING, 'pinFlags'));
    const pinType = readInteger(p.required(TAG.ENUMERATED, 'pinType'), 16);
    const minLength = readInteger(p.required(TAG.INTEGER, 'minLength'), 255);
    const storedLength = readInteger(p.required(TAG.INTEGER, 'storedLength'), 255);
    const maxNode = p.optional(TAG.INTEGER);
    const refNode = p.optional(ctx(0, false));
    const padNode = p.optional(TAG.OCTET_STRING);
    const maxLength = maxNode ? readInteger(maxNode, 255) : storedLength;
    if (minLength < 1 || maxLength < minLength || maxLength > 64) throw new DerError('PIN lengths out of range', obj.offset);
    pins.push({
      label: common.label,
      authId,
      flags,
      pinType,
      minLength,
      storedLength,
      maxLength,
      reference: refNode ? readInteger(refNode, 255) : 0,
      ...(padNode && padNode.value.length === 1 ? { padChar: padNode.value[0]! } : {}),
    });
  }
  return pins;
}

/** The RSA (untagged SEQUENCE) and EC ([0]) key objects of a PrKDF or PuKDF, with their common attributes read. */
function* keyObjects(buf: Uint8Array) {
  for (const obj of children(buf)) {
    const kind = obj.tag === TAG.SEQUENCE ? ('RSA' as const) : obj.tag === ctx(0) ? ('EC' as const) : undefined;
    if (!kind) continue;
    const c = new DerCursor(obj, 2);
    const common = commonObject(c, c.required(TAG.SEQUENCE, 'CommonObjectAttributes'));
    const k = c.sub(c.required(TAG.SEQUENCE, 'CommonKeyAttributes'));
    const id = k.required(TAG.OCTET_STRING, 'iD').value.slice();
    yield { kind, c, common, k, id, offset: obj.offset };
  }
}

export function parsePrkdf(buf: Uint8Array): PrivateKeyInfo[] {
  const keys: PrivateKeyInfo[] = [];
  for (const { kind, c, common, k, id } of keyObjects(buf)) {
    const usage = readBits(k.required(TAG.BIT_STRING, 'usage'));
    k.optional(TAG.BOOLEAN); // native
    k.optional(TAG.BIT_STRING); // accessFlags
    const ref = k.optional(TAG.INTEGER);
    k.optional(GENERALIZED_TIME); // startDate
    k.optional(ctx(0, false)); // endDate
    const algRefNode = k.optional(ctx(1));
    const algReferences = algRefNode ? k.sub(algRefNode).all(TAG.INTEGER).map((n) => readInteger(n, 255)) : [];
    let path: Uint8Array | undefined;
    let modulusLength: number | undefined;
    const type = c.find(ctx(1));
    if (type) {
      const t = c.sub(type);
      const attrs = t.optional(TAG.SEQUENCE);
      if (attrs) {
        const a = t.sub(attrs);
        const value = a.optional(TAG.SEQUENCE);
        if (value) path = readPath(value, a);
        const ml = a.optional(TAG.INTEGER);
        if (ml && kind === 'RSA') modulusLength = readInteger(ml, 16384);
      }
    }
    keys.push({
      label: common.label,
      kind,
      id,
      usage,
      ...(ref ? { keyReference: readInteger(ref, 255) } : {}),
      ...(common.authId ? { authId: common.authId } : {}),
      ...(path ? { path } : {}),
      ...(modulusLength ? { modulusLength } : {}),
      ...(algReferences.length ? { algReferences } : {}),
    });
  }
  return keys;
}

/** PuKDF: publicRSAKey (SEQUENCE: value, modulusLength) and publicECKey ([0]: value); other choices skipped. */
export function parsePukdf(buf: Uint8Array): PublicKeyInfo[] {
  const keys: PublicKeyInfo[] = [];
  for (const { kind, c, common, id, offset } of keyObjects(buf)) {
    const type = c.find(ctx(1));
    if (!type) throw new DerError('public key object without typeAttributes', offset);
    const t = c.sub(type);
    const a = t.sub(t.required(TAG.SEQUENCE, 'PublicKeyAttributes'));
    const value = a.optional(TAG.SEQUENCE);
    const path = value ? readPath(value, a) : undefined;
    if (!value) a.optional(ctx(0)); // direct value
    const ml = kind === 'RSA' ? a.required(TAG.INTEGER, 'modulusLength') : undefined;
    keys.push({ label: common.label, kind, id, ...(path ? { path } : {}), ...(ml ? { modulusLength: readInteger(ml, 16384) } : {}) });
  }
  return keys;
}

export function parseCdf(buf: Uint8Array): CertificateInfo[] {
  const certs: CertificateInfo[] = [];
  for (const obj of children(buf)) {
    if (obj.tag !== TAG.SEQUENCE) continue; // x509Certificate only
    const c = new DerCursor(obj, 2);
    const common = commonObject(c, c.required(TAG.SEQUENCE, 'CommonObjectAttributes'));
    const cc = c.sub(c.required(TAG.SEQUENCE, 'CommonCertificateAttributes'));
    const id = cc.required(TAG.OCTET_STRING, 'iD').value.slice();
    const auth = cc.optional(TAG.BOOLEAN);
    const type = c.find(ctx(1));
    if (!type) throw new DerError('certificate object without typeAttributes', obj.offset);
    const t = c.sub(type);
    const attrs = t.sub(t.required(TAG.SEQUENCE, 'X509CertificateAttributes'));
    const value = attrs.required(TAG.SEQUENCE, 'value (Path)');
    certs.push({ label: common.label, id, authority: auth ? auth.value[0] !== 0 : false, path: readPath(value, attrs) });
  }
  return certs;
}

/** The authentication key: usage sign (digitalSignature), never nonRepudiation. */
export function pickAuthKey(keys: PrivateKeyInfo[]): PrivateKeyInfo | undefined {
  return keys.find((k) => k.usage.has(KEY_USAGE.sign) && !k.usage.has(KEY_USAGE.nonRepudiation));
}

export const sameId = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
