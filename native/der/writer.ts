/**
 * A minimal DER writer: enough to build PKCS#15 directory files for the software card and
 * well-formed (or deliberately broken) answers in tests.
 */
export type Der = Uint8Array;

export function tlv(tag: number, ...content: Uint8Array[]): Der {
  const len = content.reduce((n, c) => n + c.length, 0);
  const header: number[] = [];
  if (tag > 0xff) {
    const t: number[] = [];
    for (let v = tag; v > 0; v = Math.floor(v / 256)) t.unshift(v & 0xff);
    header.push(...t);
  } else header.push(tag);
  if (len < 0x80) header.push(len);
  else {
    const l: number[] = [];
    for (let v = len; v > 0; v = Math.floor(v / 256)) l.unshift(v & 0xff);
    header.push(0x80 | l.length, ...l);
  }
  const out = new Uint8Array(header.length + len);
  out.set(header, 0);
  let p = header.length;
  for (const c of content) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}

export const seq = (...c: Der[]): Der => tlv(0x30, ...c);
export const octets = (b: Uint8Array | number[]): Der => tlv(0x04, Uint8Array.from(b));
export const utf8 = (s: string): Der => tlv(0x0c, new TextEncoder().encode(s));
export const bool = (b: boolean): Der => tlv(0x01, Uint8Array.of(b ? 0xff : 0x00));

export function int(n: number, tag = 0x02): Der {
  const bytes: number[] = [];
  let v = n;
  do {
    bytes.unshift(v & 0xff);
    v = Math.floor(v / 256);
  } while (v > 0);
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(tag, Uint8Array.from(bytes));
}

export const enumerated = (n: number): Der => int(n, 0x0a);

/** BIT STRING with the given bit numbers set (bit 0 = MSB of the first byte), DER-minimal. */
export function bits(set: number[]): Der {
  const max = set.length ? Math.max(...set) : -1;
  const nbytes = max < 0 ? 0 : (max >> 3) + 1;
  const data = new Uint8Array(nbytes);
  for (const b of set) data[b >> 3]! |= 0x80 >> (b & 7);
  const unused = nbytes === 0 ? 0 : 7 - (max & 7);
  return tlv(0x03, Uint8Array.of(unused), data);
}

export const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
