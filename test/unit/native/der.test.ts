import { describe, expect, it } from 'vitest';
import { fromHex } from '../../../native/apdu/command';
import { DerError, MAX_DER_DEPTH, children, derHeaderLength, readBits, readInteger, readTlv, validate } from '../../../native/der/reader';
import { bits, int, seq, tlv } from '../../../native/der/writer';

const fails = (f: () => unknown, re: RegExp) => {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(DerError);
  expect((err as DerError).code).toBe('CARD_ERROR');
  expect((err as Error).message).toMatch(re);
};

describe('the DER reader', () => {
  it('reads short and long form lengths', () => {
    expect(readTlv(fromHex('0403AABBCC')).value.length).toBe(3);
    const long = tlv(0x04, new Uint8Array(300));
    const n = readTlv(long);
    expect(n.value.length).toBe(300);
    expect(n.size).toBe(304);
  });

  it('refuses truncated input with a clear error', () => {
    fails(() => readTlv(new Uint8Array(0)), /truncated: no tag/);
    fails(() => readTlv(fromHex('04')), /truncated: no length/);
    fails(() => readTlv(fromHex('0482')), /truncated: length/);
    fails(() => readTlv(fromHex('0405AABB')), /exceeds the 2 bytes left/);
  });

  it('refuses oversize, indefinite and non-minimal lengths', () => {
    fails(() => readTlv(fromHex('0484FFFFFFFF00')), /exceeds/);
    fails(() => readTlv(fromHex('0489010000000000000000')), /too large/);
    fails(() => readTlv(fromHex('30800000')), /indefinite/);
    fails(() => readTlv(fromHex('04810300AABB')), /non-minimal/);
    fails(() => derHeaderLength(fromHex('3080')), /indefinite/);
  });

  it('limits nesting depth', () => {
    let deep: Uint8Array = fromHex('0500');
    for (let i = 0; i < MAX_DER_DEPTH + 2; i++) deep = seq(deep);
    fails(() => validate(deep), /nesting deeper/);
    let ok: Uint8Array = fromHex('0500');
    for (let i = 0; i < 5; i++) ok = seq(ok);
    expect(() => validate(ok)).not.toThrow();
  });

  it('never crashes on random garbage', () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16) & 0xff;
    for (let i = 0; i < 2000; i++) {
      const buf = Uint8Array.from({ length: 1 + (rnd() % 40) }, rnd);
      try {
        validate(buf);
      } catch (e) {
        expect(e).toBeInstanceOf(DerError);
      }
    }
  });

  it('stops at 00/FF padding after the last object', () => {
    const buf = Uint8Array.from([...seq(int(1)), 0x00, 0x00, 0xff]);
    expect(children(buf)).toHaveLength(1);
  });

  it('reads integers and bit strings', () => {
    expect(readInteger(readTlv(int(0x81)))).toBe(0x81);
    expect([...readBits(readTlv(bits([2, 9])))].sort()).toEqual([2, 9]);
    fails(() => readInteger(readTlv(fromHex('0201FF'))), /out of range/);
  });
});
