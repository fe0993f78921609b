/**
 * What a card announces about APDU sizes (ISO/IEC 7816-4 §8.1.1.2.7 card capabilities, third
 * software function table, b7 = "extended Lc and Le fields"), from the ATR's historical bytes
 * (ISO/IEC 7816-3 §8.2) or from EF.ATR/INFO (2F01, ISO/IEC 7816-4 §8.2.1.1). Extended length is
 * used only when announced: a card that does not say so gets short APDUs, GET RESPONSE for long
 * answers and command chaining for long commands.
 */

/** The historical bytes of an ATR (T0's low nibble K of them, after the interface bytes); undefined when the ATR is malformed. */
export function historicalBytes(atr: Uint8Array): Uint8Array | undefined {
  if (atr.length < 2) return undefined;
  const k = atr[1]! & 0x0f;
  let y = atr[1]! >> 4;
  let i = 2;
  for (;;) {
    const td = y & 0x8 ? atr[i + ((y & 1) + ((y >> 1) & 1) + ((y >> 2) & 1))] : undefined;
    i += (y & 1) + ((y >> 1) & 1) + ((y >> 2) & 1) + ((y >> 3) & 1);
    if (i > atr.length) return undefined;
    if (td === undefined) break;
    y = td >> 4;
  }
  return i + k <= atr.length ? atr.subarray(i, i + k) : undefined;
}

/** Compact-TLV objects (tag nibble, length nibble) of historical bytes or EF.ATR. */
function compactTlv(b: Uint8Array): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  for (let i = 0; i < b.length; ) {
    const tag = b[i]! >> 4;
    const len = b[i]! & 0x0f;
    if (i + 1 + len > b.length) break;
    out.set(tag, b.subarray(i + 1, i + 1 + len));
    i += 1 + len;
  }
  return out;
}

const EXTENDED_LENGTH = 0x40;

/** Extended length from card capabilities (1–3 bytes): true / false when the third byte is there, else undefined. */
const fromCapabilities = (caps: Uint8Array | undefined): boolean | undefined => (caps && caps.length >= 3 ? (caps[2]! & EXTENDED_LENGTH) !== 0 : undefined);

/** Whether the ATR's historical bytes announce extended length; undefined when they do not say (no card capabilities). */
export function atrExtendedLength(atr: Uint8Array): boolean | undefined {
  const h = historicalBytes(atr);
  if (!h || h.length === 0) return undefined;
  // Category indicator 00: compact-TLV then a 3-byte status; 80: compact-TLV (status optionally as tag 8); others say nothing here.
  if (h[0] === 0x00) return fromCapabilities(compactTlv(h.subarray(1, Math.max(1, h.length - 3))).get(7));
  if (h[0] === 0x80) return fromCapabilities(compactTlv(h.subarray(1)).get(7));
  return undefined;
}

/**
 * Extended length from EF.ATR/INFO's content: BER-TLV with card capabilities '47' or the extended
 * length information '7F66' (which only a card supporting it carries), or compact-TLV as in the
 * historical bytes. Undefined when it says nothing.
 */
export function efAtrExtendedLength(data: Uint8Array): boolean | undefined {
  let caps: Uint8Array | undefined;
  let i = 0;
  let ber = true;
  while (i < data.length) {
    if (data[i] === 0x00 || data[i] === 0xff) {
      i++;
      continue;
    }
    let tag = data[i++]!;
    if ((tag & 0x1f) === 0x1f) {
      if (i >= data.length) return undefined;
      tag = (tag << 8) | data[i++]!;
    }
    if (i >= data.length) {
      ber = false;
      break;
    }
    let len = data[i++]!;
    if (len === 0x81 && i < data.length) len = data[i++]!;
    else if (len > 0x80) {
      ber = false;
      break;
    }
    if (i + len > data.length) {
      ber = false;
      break;
    }
    if (tag === 0x7f66) return true;
    if (tag === 0x47) caps = data.subarray(i, i + len);
    i += len;
  }
  if (ber && caps) return fromCapabilities(caps);
  return fromCapabilities(compactTlv(data).get(7));
}
