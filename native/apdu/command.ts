import { AppFailure } from '#contract';

/** A command APDU (ISO/IEC 7816-4 §5.1). `le` is the number of bytes expected: 1..65536, 256 = short "00". */
export interface Apdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data?: Uint8Array;
  le?: number;
}

export const MAX_SHORT_LC = 255;
export const MAX_SHORT_LE = 256;
export const MAX_EXTENDED_LE = 65536;

/** Encodes short when it fits, else extended (Lc > 255 or Le > 256). */
export function encodeApdu(c: Apdu): Uint8Array {
  const data = c.data ?? new Uint8Array(0);
  for (const [k, v] of [['cla', c.cla], ['ins', c.ins], ['p1', c.p1], ['p2', c.p2]] as const)
    if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new AppFailure('INTERNAL', `APDU ${k} out of range`);
  if (data.length > 65535) throw new AppFailure('INTERNAL', 'APDU data too long');
  if (c.le !== undefined && (!Number.isInteger(c.le) || c.le < 1 || c.le > MAX_EXTENDED_LE))
    throw new AppFailure('INTERNAL', 'APDU Le out of range');
  const extended = data.length > MAX_SHORT_LC || (c.le ?? 0) > MAX_SHORT_LE;
  const out: number[] = [c.cla, c.ins, c.p1, c.p2];
  if (!extended) {
    if (data.length) out.push(data.length, ...data);
    if (c.le !== undefined) out.push(c.le & 0xff);
  } else {
    out.push(0x00);
    if (data.length) out.push(data.length >> 8, data.length & 0xff, ...data);
    if (c.le !== undefined) out.push((c.le >> 8) & 0xff, c.le & 0xff);
  }
  return Uint8Array.from(out);
}

/** Decodes a command APDU (cases 1–4, short and extended); used by the software card. Throws on malformed input. */
export function decodeApdu(b: Uint8Array): Apdu {
  if (b.length < 4) throw new Error('APDU shorter than 4 bytes');
  const [cla, ins, p1, p2] = [b[0]!, b[1]!, b[2]!, b[3]!];
  const rest = b.subarray(4);
  if (rest.length === 0) return { cla, ins, p1, p2 };
  if (rest.length === 1) return { cla, ins, p1, p2, le: rest[0]! || 256 };
  if (rest[0] !== 0) {
    const lc = rest[0]!;
    if (rest.length === 1 + lc) return { cla, ins, p1, p2, data: rest.slice(1) };
    if (rest.length === 2 + lc) return { cla, ins, p1, p2, data: rest.slice(1, 1 + lc), le: rest[1 + lc]! || 256 };
    throw new Error('APDU length mismatch');
  }
  // Extended.
  if (rest.length === 3) return { cla, ins, p1, p2, le: (rest[1]! << 8 | rest[2]!) || 65536 };
  const lc = (rest[1]! << 8) | rest[2]!;
  if (lc === 0) throw new Error('APDU extended Lc 0');
  if (rest.length === 3 + lc) return { cla, ins, p1, p2, data: rest.slice(3, 3 + lc) };
  if (rest.length === 5 + lc) return { cla, ins, p1, p2, data: rest.slice(3, 3 + lc), le: (rest[3 + lc]! << 8 | rest[4 + lc]!) || 65536 };
  throw new Error('APDU extended length mismatch');
}

export const hex = (b: Uint8Array | number[]): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('').toUpperCase();
export const fromHex = (s: string): Uint8Array => {
  const clean = s.replace(/[\s:]/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new Error('bad hex');
  return Uint8Array.from(clean.match(/../g) ?? [], (h) => parseInt(h, 16));
};
