import { describe, expect, it } from 'vitest';
import { AppFailure } from '#contract';
import { fromHex } from '../../../native/apdu/command';
import { bits, concat, int, octets, seq, tlv, utf8 } from '../../../native/der/writer';
import { checkPinFormat, checkVerifyResult, encodePin, pinStatusFromSw, wipe } from '../../../native/pin';
import { ecdsaToRaw } from '../../../native/profiles/pkcs15';
import { KEY_USAGE, PIN_FLAG, parseAodf, parseCdf, parseOdf, parsePrkdf, pickAuthKey } from '../../../native/profiles/pkcs15-objects';
import { buildImage, type SoftFile } from '../../../native/softcard/image';
import { makeTestCard } from '../../support/test-certs';

const ef = (root: SoftFile, ...fids: number[]): Uint8Array => {
  let f: SoftFile | undefined = root;
  for (const id of fids) f = f?.children?.find((c) => c.fid === id);
  if (!f?.data) throw new Error('no such EF');
  return f.data;
};

const code = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof AppFailure) return e.code;
    throw e;
  }
  return 'ok';
};

describe('PKCS#15 directory files', () => {
  it('parses the ODF, AODF, PrKDF and CDF of the software card', async () => {
    const { mf } = buildImage(await makeTestCard({ alg: 'EC-P256', withSignKey: true }));
    const odf = parseOdf(ef(mf, 0x5015, 0x5031));
    expect(Buffer.from(odf.privateKeys![0]!).toString('hex')).toBe('3f0050154402');
    expect(Buffer.from(odf.authObjects![0]!).toString('hex')).toBe('3f0050154401');
    const pins = parseAodf(ef(mf, 0x5015, 0x4401));
    expect(pins[0]).toMatchObject({ label: 'PIN', minLength: 4, maxLength: 12, storedLength: 12, reference: 0x81, padChar: 0xff });
    expect(pins[0]!.flags.has(PIN_FLAG.needsPadding)).toBe(true);
    expect(pins[1]!.flags.has(PIN_FLAG.unblockingPin)).toBe(true);
    const keys = parsePrkdf(ef(mf, 0x5015, 0x4402));
    expect(keys.map((k) => [k.label, k.kind, k.keyReference])).toEqual([
      ['Underskrift', 'EC', 2],
      ['Legitimering', 'EC', 1],
    ]);
    const auth = pickAuthKey(keys)!;
    expect(auth.label).toBe('Legitimering');
    const certs = parseCdf(ef(mf, 0x5015, 0x4404));
    expect(certs.find((c) => Buffer.from(c.id).equals(Buffer.from(auth.id)))?.path).toBeDefined();
    expect(certs.filter((c) => c.authority)).toHaveLength(1);
  });

  it('picks the digitalSignature key and never a nonRepudiation one', () => {
    const key = (label: string, usage: number[]) =>
      seq(seq(utf8(label)), seq(octets([label.length]), bits(usage), int(label.length)), tlv(0xa1, seq(seq(octets([0x3f, 0x00])), int(2048))));
    const keys = parsePrkdf(concat(key('sig', [KEY_USAGE.sign, KEY_USAGE.nonRepudiation]), key('auth', [KEY_USAGE.sign, KEY_USAGE.decrypt])));
    expect(pickAuthKey(keys)?.label).toBe('auth');
    expect(pickAuthKey(parsePrkdf(key('sig', [KEY_USAGE.nonRepudiation])))).toBeUndefined();
  });

  it('fails with CARD_ERROR, not a crash, on malformed directory files', () => {
    expect(code(() => parseOdf(fromHex('A0 06 30 04 04 05 3F00')))).toBe('CARD_ERROR');
    expect(code(() => parseAodf(seq(seq(utf8('PIN')))))).toBe('CARD_ERROR');
    expect(code(() => parsePrkdf(fromHex('30 84 FF FF FF FF')))).toBe('CARD_ERROR');
    expect(code(() => parseCdf(seq(seq(utf8('x')), seq(octets([1])))))).toBe('CARD_ERROR');
  });

  it('converts a DER ECDSA signature to raw r‖s, and leaves raw alone', () => {
    const r = new Uint8Array(32).fill(1);
    const s = Uint8Array.from([0x80, ...new Uint8Array(31).fill(2)]);
    const der = seq(tlv(0x02, r), tlv(0x02, Uint8Array.from([0, ...s])));
    expect(Buffer.from(ecdsaToRaw(der, 32)).equals(Buffer.concat([r, s]))).toBe(true);
    const raw = new Uint8Array(64).fill(9);
    expect(ecdsaToRaw(raw, 32)).toBe(raw);
  });
});

describe('PIN rules', () => {
  const enc = (s: string) => new TextEncoder().encode(s);

  it('accepts 4–12 digits and refuses anything else before the card sees it', () => {
    expect(code(() => checkPinFormat(enc('1234')))).toBe('ok');
    expect(code(() => checkPinFormat(enc('123456789012')))).toBe('ok');
    for (const bad of ['123', '1234567890123', '12 4', 'abcd', '']) expect(code(() => checkPinFormat(enc(bad)))).toBe('PIN_INVALID_FORMAT');
    // The card's AODF narrows the range.
    expect(code(() => checkPinFormat(enc('12345'), { minLength: 6, maxLength: 8 }))).toBe('PIN_INVALID_FORMAT');
  });

  it('reads the retry counter: 63Cx = x tries left, 9000 = verified, 6983/63C0 = blocked', () => {
    expect(pinStatusFromSw(0x63c3)).toEqual({ triesLeft: 3, blocked: false, verified: false });
    expect(pinStatusFromSw(0x9000)).toEqual({ blocked: false, verified: true });
    expect(pinStatusFromSw(0x6983)).toEqual({ triesLeft: 0, blocked: true, verified: false });
    expect(pinStatusFromSw(0x63c0)).toEqual({ triesLeft: 0, blocked: true, verified: false });
  });

  it('maps VERIFY answers to PIN_WRONG {triesLeft} and PIN_BLOCKED with the PUK explained', () => {
    let e: unknown;
    try {
      checkVerifyResult(0x63c2);
    } catch (x) {
      e = x;
    }
    expect((e as AppFailure).code).toBe('PIN_WRONG');
    expect((e as AppFailure).details).toEqual({ triesLeft: 2 });
    for (const sw of [0x63c0, 0x6983]) {
      try {
        checkVerifyResult(sw);
      } catch (x) {
        e = x;
      }
      expect((e as AppFailure).code).toBe('PIN_BLOCKED');
      expect((e as AppFailure).message).toMatch(/PUK-koden/);
      expect((e as AppFailure).message).toMatch(/IT-kontaktperson/);
    }
    expect(code(() => checkVerifyResult(0x6a88))).toBe('CARD_ERROR');
  });

  it('pads the PIN as the AODF says, in a new buffer, and wipes buffers', () => {
    const pin = enc('1234');
    const padded = encodePin(pin, { storedLength: 8, padChar: 0xff, needsPadding: true });
    expect(Buffer.from(padded).toString('hex')).toBe('31323334ffffffff');
    wipe(pin, padded);
    expect([...pin, ...padded].every((b) => b === 0)).toBe(true);
  });
});
