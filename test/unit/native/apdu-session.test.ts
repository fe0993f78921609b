import { describe, expect, it } from 'vitest';
import { decodeApdu, encodeApdu, fromHex, hex } from '../../../native/apdu/command';
import { readBinary } from '../../../native/apdu/file';
import { ApduSession } from '../../../native/apdu/session';
import { ALLOW } from '../../../native/apdu/status';
import type { CardTransport } from '../../../native/apdu/transport';
import { failure } from '../../support/failure';

/** A scripted card: each command APDU (hex) is checked and answered in order. */
function scripted(steps: [string, string][]): CardTransport & { left: () => number } {
  const queue = [...steps];
  return {
    left: () => queue.length,
    async transmit(apdu) {
      const step = queue.shift();
      if (!step) throw new Error(`unexpected APDU ${hex(apdu)}`);
      expect(hex(apdu)).toBe(step[0].replace(/\s/g, '').toUpperCase());
      return fromHex(step[1]);
    },
  };
}

describe('APDU encoding', () => {
  it('encodes short cases 1–4 and goes extended only when needed', () => {
    expect(hex(encodeApdu({ cla: 0, ins: 0x20, p1: 0, p2: 0x81 }))).toBe('00200081');
    expect(hex(encodeApdu({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 256 }))).toBe('00B0000000');
    expect(hex(encodeApdu({ cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: fromHex('5031') }))).toBe('00A4020C025031');
    expect(hex(encodeApdu({ cla: 0, ins: 0x2a, p1: 0x9e, p2: 0x9a, data: fromHex('AA'), le: 256 }))).toBe('002A9E9A01AA00');
    expect(hex(encodeApdu({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 512 }))).toBe('00B00000000200');
    const big = encodeApdu({ cla: 0, ins: 0x2a, p1: 0x9e, p2: 0x9a, data: new Uint8Array(300), le: 65536 });
    expect(hex(big.subarray(0, 7))).toBe('002A9E9A00012C');
    expect(hex(big.subarray(big.length - 2))).toBe('0000');
  });

  it('decodes what it encodes, and refuses inconsistent lengths', () => {
    for (const c of [
      { cla: 0, ins: 0x20, p1: 0, p2: 0x81 },
      { cla: 0, ins: 0xb0, p1: 1, p2: 2, le: 256 },
      { cla: 0, ins: 0xa4, p1: 4, p2: 0, data: fromHex('A000000063'), le: 256 },
      { cla: 0, ins: 0x2a, p1: 0x9e, p2: 0x9a, data: new Uint8Array(300), le: 1000 },
    ]) {
      expect(decodeApdu(encodeApdu(c))).toEqual(c);
    }
    expect(() => decodeApdu(fromHex('00A40400'))).not.toThrow();
    expect(() => decodeApdu(fromHex('00A4040005A0'))).toThrow();
    expect(() => decodeApdu(fromHex('00A4'))).toThrow();
  });
});

describe('the APDU session', () => {
  it('follows 61xx with GET RESPONSE until 9000 and joins the data', async () => {
    const t = scripted([
      ['002A9E9A02AABB00', '6104'],
      ['00C0000004', '01020304 6102'],
      ['00C0000002', '0506 9000'],
    ]);
    const res = await new ApduSession(t).send({ cla: 0, ins: 0x2a, p1: 0x9e, p2: 0x9a, data: fromHex('AABB'), le: 256 });
    expect(hex(res.data)).toBe('010203040506');
    expect(res.sw).toBe(0x9000);
    expect(t.left()).toBe(0);
  });

  it('resends once with the Le from 6Cxx', async () => {
    const t = scripted([
      ['00B0000000', '6C03'],
      ['00B0000003', 'AABBCC 9000'],
    ]);
    const res = await new ApduSession(t).send({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 256 });
    expect(hex(res.data)).toBe('AABBCC');
  });

  it('does not loop on a card that keeps answering 6Cxx', async () => {
    const t = scripted([
      ['00B0000000', '6C03'],
      ['00B0000003', '6C05'],
    ]);
    const f = await failure(new ApduSession(t).send({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 256 }));
    expect(f.code).toBe('CARD_ERROR');
    expect(f.details).toMatchObject({ sw: '6C05' });
  });

  it('bounds a GET RESPONSE chain that never ends', async () => {
    let n = 0;
    const endless: CardTransport = { transmit: async () => (n++ === 0 ? fromHex('6100') : Uint8Array.from([...new Uint8Array(256), 0x61, 0x00])) };
    const f = await failure(new ApduSession(endless, { maxResponseBytes: 4096 }).send({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 256 }));
    expect(f.code).toBe('CARD_ERROR');
    expect(f.message).toMatch(/longer than 4096 bytes/);
    expect(n).toBeLessThanOrEqual(17);
  });

  it('refuses a GET RESPONSE that returns more than asked, or no data while asking for more', async () => {
    const t1 = scripted([['00B0000000', '6102'], ['00C0000002', '010203 9000']]);
    expect((await failure(new ApduSession(t1).send({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 256 }))).code).toBe('CARD_ERROR');
    const t2 = scripted([['00B0000000', '6102'], ['00C0000002', '6102']]);
    expect((await failure(new ApduSession(t2).send({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 256 }))).code).toBe('CARD_ERROR');
  });

  it('turns a status word outside the allow-list into CARD_ERROR with the word in hex', async () => {
    const t = scripted([['00A4040C02A000', '6A88']]);
    const f = await failure(new ApduSession(t).send({ cla: 0, ins: 0xa4, p1: 4, p2: 0x0c, data: fromHex('A000') }));
    expect(f.code).toBe('CARD_ERROR');
    expect(f.details).toEqual({ sw: '6A88', command: 'SELECT' });
    expect(f.message).toContain('6A88');
  });

  it('lets a caller accept the status words it handles (63Cx for VERIFY)', async () => {
    const t = scripted([['00200081', '63C2']]);
    const res = await new ApduSession(t).send({ cla: 0, ins: 0x20, p1: 0, p2: 0x81 }, ALLOW.verify);
    expect(res.sw).toBe(0x63c2);
  });

  it('refuses truncated and oversize responses', async () => {
    const short: CardTransport = { transmit: async () => fromHex('90') };
    expect((await failure(new ApduSession(short).send({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 256 }))).code).toBe('CARD_ERROR');
    const tooMuch: CardTransport = { transmit: async () => Uint8Array.from([...new Uint8Array(10), 0x90, 0x00]) };
    expect((await failure(new ApduSession(tooMuch).send({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 4 }))).message).toMatch(/fler byte än begärt/);
    const huge: CardTransport = { transmit: async () => new Uint8Array(70_000) };
    expect((await failure(new ApduSession(huge).send({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 256 }))).code).toBe('CARD_ERROR');
  });
});

describe('READ BINARY', () => {
  it('reads in chunks with offsets up to the size from the FCP', async () => {
    const file = Uint8Array.from({ length: 600 }, (_, i) => i & 0xff);
    const card: CardTransport = {
      async transmit(apdu) {
        const off = (apdu[2]! << 8) | apdu[3]!;
        const le = apdu[4] || 256;
        return Uint8Array.from([...file.subarray(off, off + le), 0x90, 0x00]);
      },
    };
    const data = await readBinary(new ApduSession(card), { size: 600 });
    expect(Buffer.from(data).equals(Buffer.from(file))).toBe(true);
  });

  it('stops at the end of a DER object in a larger EF', async () => {
    const obj = Uint8Array.from([0x30, 0x82, 0x01, 0x2c, ...new Uint8Array(300).fill(7)]);
    const ef = Uint8Array.from([...obj, ...new Uint8Array(700).fill(0xff)]);
    let reads = 0;
    const card: CardTransport = {
      async transmit(apdu) {
        reads++;
        const off = (apdu[2]! << 8) | apdu[3]!;
        return Uint8Array.from([...ef.subarray(off, off + (apdu[4] || 256)), 0x90, 0x00]);
      },
    };
    const data = await readBinary(new ApduSession(card), { size: ef.length, der: true });
    expect(data.length).toBe(304);
    expect(reads).toBe(2);
  });

  /** A card that answers at most `cap` bytes per READ BINARY with 9000, and 6282 / 6B00 at and past the end. */
  const capped = (file: Uint8Array, cap: number, log: number[][] = []): CardTransport => ({
    async transmit(apdu) {
      const off = (apdu[2]! << 8) | apdu[3]!;
      const le = apdu[4] || 256;
      log.push([off, le]);
      if (off > file.length) return fromHex('6B00');
      const data = file.subarray(off, off + Math.min(le, cap));
      const eof = data.length < le && off + data.length === file.length;
      return Uint8Array.from([...data, ...(eof ? [0x62, 0x82] : [0x90, 0x00])]);
    },
  });

  for (const cap of [0x80, 0xdf, 0xe7, 0xf0, 0xff]) {
    it(`reads on after answers capped at 0x${cap.toString(16)} bytes until the FCP size, then asks for what the card gives`, async () => {
      const file = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff);
      const log: number[][] = [];
      const data = await readBinary(new ApduSession(capped(file, cap, log)), { size: file.length });
      expect(Buffer.from(data).equals(Buffer.from(file))).toBe(true);
      expect(log.length).toBe(Math.ceil(file.length / cap)); // no extra APDU: after the first capped answer Le = cap
    });
  }

  it('reads a DER object to its end when the FCP has no size, and a directory file to 6282', async () => {
    const cert = Uint8Array.from([0x30, 0x82, 0x03, 0x00, ...new Uint8Array(0x300).fill(9)]);
    const der = await readBinary(new ApduSession(capped(Uint8Array.from([...cert, 0, 0, 0]), 0x80)), { der: true });
    expect(der.length).toBe(cert.length);
    const dir = Uint8Array.from({ length: 333 }, (_, i) => i & 0x7f);
    const all = await readBinary(new ApduSession(capped(dir, 0xe7)), {});
    expect(Buffer.from(all).equals(Buffer.from(dir))).toBe(true);
  });

  it('calls a file that ends before its FCP size a card error (6B00 / 6282 inside the file)', async () => {
    const f = await failure(readBinary(new ApduSession(capped(new Uint8Array(300), 0x80)), { size: 500 }));
    expect(f.message).toMatch(/tog slut före/);
  });

  it('refuses a file larger than the bound, and a DER object that claims more than the file', async () => {
    const never: CardTransport = { transmit: async () => fromHex('9000') };
    expect((await failure(readBinary(new ApduSession(never), { size: 100_000 }))).code).toBe('CARD_ERROR');
    const liar: CardTransport = { transmit: async () => Uint8Array.from([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x90, 0x00]) };
    const f = await failure(readBinary(new ApduSession(liar), { der: true }));
    expect(f.code).toBe('CARD_ERROR');
  });
});
