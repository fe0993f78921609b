import { AppFailure } from '#contract';

/**
 * A small, bounded DER reader for what a card returns (PKCS#15 directory files, FCP templates).
 * Definite lengths only (no indefinite form), long form up to 4 length bytes, every length must
 * fit in what remains of its parent, and nesting is limited. Anything else is a `DerError`; a
 * malformed card answer never crashes or allocates more than the input.
 */
export const MAX_DER_DEPTH = 16;
const MAX_LENGTH_BYTES = 4;

export class DerError extends AppFailure {
  constructor(message: string, offset: number) {
    super('CARD_ERROR', `DER: ${message} (offset ${offset})`, { der: message, offset });
    this.name = 'DerError';
  }
}

export interface DerNode {
  /** The identifier octet(s) as a number: one byte for low tag numbers (e.g. 0x30, 0xA1, 0x04), multi-byte tags folded in. */
  readonly tag: number;
  readonly constructed: boolean;
  /** The content octets (a view into the input; copy before keeping). */
  readonly value: Uint8Array;
  /** Offset of the identifier in the outermost input, for error messages. */
  readonly offset: number;
  /** Total encoded size (header + content). */
  readonly size: number;
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8_STRING: 0x0c,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Context-specific tag [n], constructed or primitive. */
export const ctx = (n: number, constructed = true): number => (constructed ? 0xa0 : 0x80) | n;

/** Reads one TLV at `pos` of `buf`. `base` is the offset of `buf` in the outermost input. */
export function readTlv(buf: Uint8Array, pos = 0, base = 0): DerNode {
  const at = base + pos;
  if (pos >= buf.length) throw new DerError('truncated: no tag', at);
  let p = pos;
  const first = buf[p++]!;
  let tag = first;
  if ((first & 0x1f) === 0x1f) {
    // High tag number: up to 3 continuation bytes (enough for every tag in ISO 7816).
    let n = 0;
    for (;;) {
      if (p >= buf.length) throw new DerError('truncated: tag', at);
      const b = buf[p++]!;
      tag = tag * 256 + b;
      if (++n > 3) throw new DerError('tag too long', at);
      if ((b & 0x80) === 0) break;
    }
  }
  if (p >= buf.length) throw new DerError('truncated: no length', at);
  const l0 = buf[p++]!;
  let length: number;
  if (l0 < 0x80) {
    length = l0;
  } else if (l0 === 0x80) {
    throw new DerError('indefinite length is not DER', at);
  } else {
    const n = l0 & 0x7f;
    if (n > MAX_LENGTH_BYTES) throw new DerError(`length of ${n} bytes is too large`, at);
    if (p + n > buf.length) throw new DerError('truncated: length', at);
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[p++]!;
    if (length < 0x80 || (n > 1 && length < 1 << (8 * (n - 1)))) throw new DerError('non-minimal length', at);
  }
  if (length > buf.length - p) throw new DerError(`length ${length} exceeds the ${buf.length - p} bytes left`, at);
  return {
    tag,
    constructed: (first & 0x20) !== 0,
    value: buf.subarray(p, p + length),
    offset: at,
    size: p - pos + length,
  };
}

/** Splits the content of a constructed value (or a whole buffer) into its TLVs. */
export function children(node: DerNode | Uint8Array, depth = 1): DerNode[] {
  if (depth > MAX_DER_DEPTH) throw new DerError(`nesting deeper than ${MAX_DER_DEPTH}`, node instanceof Uint8Array ? 0 : node.offset);
  const buf = node instanceof Uint8Array ? node : node.value;
  const base = node instanceof Uint8Array ? 0 : node.offset + (node.size - node.value.length);
  const out: DerNode[] = [];
  let pos = 0;
  while (pos < buf.length) {
    // Some cards pad directory files with 00 or FF after the last object.
    if (buf[pos] === 0x00 || buf[pos] === 0xff) break;
    const n = readTlv(buf, pos, base);
    out.push(n);
    pos += n.size;
  }
  return out;
}

/** Checks a whole structure for well-formedness (every constructed value parsed, depth bounded). */
export function validate(buf: Uint8Array): void {
  const walk = (nodes: DerNode[], depth: number): void => {
    for (const n of nodes) if (n.constructed) walk(children(n, depth + 1), depth + 1);
  };
  walk(children(buf), 1);
}

/** A cursor over the children of a SEQUENCE, for ASN.1 with OPTIONAL fields. */
export class DerCursor {
  private i = 0;
  private readonly items: DerNode[];
  constructor(
    node: DerNode,
    private readonly depth = 1,
  ) {
    this.items = children(node, depth);
  }
  peek(): DerNode | undefined {
    return this.items[this.i];
  }
  /** The next child if its tag is `tag`, else undefined (the field is absent). */
  optional(tag: number): DerNode | undefined {
    const n = this.items[this.i];
    if (n && n.tag === tag) {
      this.i++;
      return n;
    }
    return undefined;
  }
  required(tag: number, what: string): DerNode {
    const n = this.optional(tag);
    if (!n) {
      const got = this.items[this.i];
      throw new DerError(`expected ${what} (tag ${tag.toString(16)}), got ${got ? got.tag.toString(16) : 'end'}`, got?.offset ?? 0);
    }
    return n;
  }
  /** Every remaining child with `tag` (a SEQUENCE OF). */
  all(tag: number): DerNode[] {
    const out: DerNode[] = [];
    for (let n = this.optional(tag); n; n = this.optional(tag)) out.push(n);
    return out;
  }
  /** Moves past the fields until one with `tag` (skipping extensions), or undefined. */
  find(tag: number): DerNode | undefined {
    while (this.i < this.items.length) {
      const n = this.items[this.i++]!;
      if (n.tag === tag) return n;
    }
    return undefined;
  }
  sub(node: DerNode): DerCursor {
    return new DerCursor(node, this.depth + 1);
  }
}

export function readInteger(node: DerNode, max = Number.MAX_SAFE_INTEGER): number {
  if (node.value.length === 0 || node.value.length > 6) throw new DerError('integer out of range', node.offset);
  let v = node.value[0]! & 0x80 ? -1 : 0;
  for (const b of node.value) v = v * 256 + b;
  if (v < 0 || v > max) throw new DerError('integer out of range', node.offset);
  return v;
}

export function readBoolean(node: DerNode): boolean {
  if (node.value.length !== 1) throw new DerError('bad boolean', node.offset);
  return node.value[0] !== 0;
}

/** A BIT STRING as the set of bit numbers that are 1 (bit 0 = most significant bit of the first byte). */
export function readBits(node: DerNode): Set<number> {
  if (node.value.length === 0) throw new DerError('empty bit string', node.offset);
  const unused = node.value[0]!;
  if (unused > 7) throw new DerError('bad bit string', node.offset);
  const bits = new Set<number>();
  const data = node.value.subarray(1);
  for (let i = 0; i < data.length * 8 - unused; i++) if (data[i >> 3]! & (0x80 >> (i & 7))) bits.add(i);
  return bits;
}

export function readUtf8(node: DerNode): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(node.value);
}

/**
 * The total encoded length (header + content) of the DER object at the start of `prefix`, read
 * from its header only (the content may not have been read yet). Bounded like readTlv.
 */
export function derHeaderLength(prefix: Uint8Array): number {
  if (prefix.length < 2) throw new DerError('truncated: header', 0);
  if ((prefix[0]! & 0x1f) === 0x1f) throw new DerError('unexpected high tag number', 0);
  const l0 = prefix[1]!;
  if (l0 < 0x80) return 2 + l0;
  if (l0 === 0x80) throw new DerError('indefinite length is not DER', 0);
  const n = l0 & 0x7f;
  if (n > MAX_LENGTH_BYTES) throw new DerError(`length of ${n} bytes is too large`, 0);
  if (prefix.length < 2 + n) throw new DerError('truncated: length', 0);
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + prefix[2 + i]!;
  return 2 + n + len;
}
