import { createHash, verify, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { atrExtendedLength, efAtrExtendedLength, historicalBytes } from '../../../native/apdu/atr';
import { fromHex, hex } from '../../../native/apdu/command';
import { ApduSession } from '../../../native/apdu/session';
import type { CardTransport } from '../../../native/apdu/transport';
import { parseEfDir, Pkcs15Profile } from '../../../native/profiles/pkcs15';
import { ATR_T0, ATR_T1, CARD_PROFILES } from '../../../native/softcard/profiles';
import { SoftCard } from '../../../native/softcard/soft-card';
import { makeTestCard } from '../../support/test-certs';

/**
 * APDU sizes from what the card announces (ISO/IEC 7816-4 card capabilities in the ATR's
 * historical bytes or EF.ATR): extended length only when announced; otherwise short APDUs, long
 * answers through GET RESPONSE and long commands by chaining. And EF.DIR's application templates.
 */
const transportOf = (card: SoftCard, seen: string[]): CardTransport => ({
  async transmit(apdu) {
    seen.push(hex(apdu));
    return (await card.process(apdu))!;
  },
});
/** An extended-length command APDU: a 00 after the header, then two or three length bytes. */
const isExtended = (apdu: string): boolean => apdu.length >= 14 && apdu.slice(8, 10) === '00';

describe('card capabilities', () => {
  it('from the ATR historical bytes: compact-TLV tag 7, third byte b7; silent ATRs say nothing', () => {
    expect(hex(historicalBytes(fromHex(ATR_T1))!)).toBe('80318065B0846566FB120178829000');
    expect(atrExtendedLength(fromHex(ATR_T1))).toBeUndefined();
    expect(atrExtendedLength(fromHex(ATR_T0))).toBeUndefined();
    // TS 3B, T0 85 (TD1, 5 historical bytes), TD1 01 (T=1), 80 | 73 00 00 40, TCK.
    expect(atrExtendedLength(fromHex('3B8501807300004037'))).toBe(true);
    expect(atrExtendedLength(fromHex('3B8501807300000077'))).toBe(false);
    expect(atrExtendedLength(fromHex('3B85'))).toBeUndefined();
  });

  it('from EF.ATR: BER 47 (card capabilities) or 7F66 (extended length information), or compact-TLV', () => {
    expect(efAtrExtendedLength(fromHex('4703000040'))).toBe(true);
    expect(efAtrExtendedLength(fromHex('4703000000'))).toBe(false);
    expect(efAtrExtendedLength(fromHex('7F6608020208000202080000'))).toBe(true);
    expect(efAtrExtendedLength(fromHex('73000040'))).toBe(true);
    expect(efAtrExtendedLength(new Uint8Array(0))).toBeUndefined();
  });
});

describe('EF.DIR', () => {
  it('lists application templates in order (AID and/or path), skips padding, ignores illegal AIDs', () => {
    const apps = parseEfDir(fromHex('00FF 610F4F0BD752000001504B435331355100 FF 6104 51023F00 6106 4F0401020304 6112 4F0CA000000063504B43532D3135 51025015 0000'.replace(/\s/g, '')));
    expect(apps.map((a) => [a.aid && hex(a.aid), a.path && hex(a.path)])).toEqual([
      ['D752000001504B43533135', undefined],
      [undefined, '3F00'],
      ['A000000063504B43532D3135', '5015'],
    ]);
    expect(parseEfDir(fromHex('61FF00'))).toEqual([]);
  });

  it('finds a PKCS#15 application under another AID only through EF.DIR, and keeps it as a hint', async () => {
    const card = new SoftCard(await makeTestCard({ behaviour: CARD_PROFILES['efdir-other-aid'].behaviour }));
    const seen: string[] = [];
    const hints = {};
    const cert = await new Pkcs15Profile().readCertificate(new ApduSession(transportOf(card, seen), { hints }));
    expect(new X509Certificate(cert).subject).toContain('Test Testsson');
    expect(seen).toContain('00A4040C0BD752000001504B43533135');
    // The next operation selects it directly: no EF.DIR read.
    seen.length = 0;
    await new Pkcs15Profile().readCertificate(new ApduSession(transportOf(card, seen), { hints }));
    expect(seen[0]).toBe('00A4040C0BD752000001504B43533135');
    expect(seen.some((a) => a.includes('2F00'))).toBe(false);
  });
});

describe('signing with a large key', () => {
  for (const [alg, bytes] of [['RSA-3072', 384], ['RSA-4096', 512]] as const) {
    it(`${alg} on a card without extended length: short Le 00, the rest by GET RESPONSE, a signature that verifies`, async () => {
      const file = await makeTestCard({ alg, behaviour: { extendedLength: false } });
      const seen: string[] = [];
      const data = Buffer.from('challenge');
      const res = await new Pkcs15Profile().sign(
        new ApduSession(transportOf(new SoftCard(file), seen)),
        new TextEncoder().encode('1234'),
        createHash('sha256').update(data).digest(),
        'SHA-256',
      );
      expect(res.signature.length).toBe(bytes);
      expect(verify('sha256', data, new X509Certificate(res.certificateDer).publicKey, res.signature)).toBe(true);
      expect(seen.filter(isExtended)).toEqual([]);
      expect(seen.some((a) => a.startsWith('00C00000'))).toBe(true);
    });
  }

  it('RSA-3072 on a card whose EF.ATR announces extended length: one extended PSO with Le 384', async () => {
    const file = await makeTestCard({ alg: 'RSA-3072' });
    const seen: string[] = [];
    await new Pkcs15Profile().sign(new ApduSession(transportOf(new SoftCard(file), seen)), new TextEncoder().encode('1234'), new Uint8Array(32), 'SHA-256');
    const pso = seen.find((a) => a.startsWith('002A9E9A'))!;
    expect(isExtended(pso) && pso.endsWith('0180')).toBe(true);
    expect(seen.some((a) => a.startsWith('00C00000'))).toBe(false);
  });

  it('P-384: the signature is raw r‖s of 96 bytes', async () => {
    const file = await makeTestCard({ alg: 'EC-P384', behaviour: { extendedLength: false } });
    const data = Buffer.from('challenge');
    const res = await new Pkcs15Profile().sign(new ApduSession(transportOf(new SoftCard(file), [])), new TextEncoder().encode('1234'), createHash('sha384').update(data).digest(), 'SHA-384');
    expect([res.algorithm, res.signature.length]).toEqual(['ES384', 96]);
    expect(verify('sha384', data, { key: new X509Certificate(res.certificateDer).publicKey, dsaEncoding: 'ieee-p1363' }, res.signature)).toBe(true);
  });
});

describe('command chaining', () => {
  it('data over 255 bytes without extended length goes in 255-byte parts with CLA b5, the last part carrying Le', async () => {
    const sent: string[] = [];
    const session = new ApduSession({
      async transmit(apdu) {
        sent.push(hex(apdu));
        return fromHex(sent.length === 1 ? '9000' : '01029000');
      },
    }, { extendedLength: false });
    const data = new Uint8Array(300).fill(0xab);
    const res = await session.send({ cla: 0, ins: 0x2a, p1: 0x9e, p2: 0x9a, data, le: 256 });
    expect(hex(res.data)).toBe('0102');
    expect(sent.map((a) => a.slice(0, 10))).toEqual(['102A9E9AFF', '002A9E9A2D']);
    expect(sent[1]!.endsWith('00')).toBe(true);
  });

  it('a refused part is CARD_ERROR with the status word', async () => {
    const session = new ApduSession({ transmit: async () => fromHex('6884') }, { extendedLength: false });
    await expect(session.send({ cla: 0, ins: 0x2a, p1: 0x9e, p2: 0x9a, data: new Uint8Array(300) })).rejects.toMatchObject({ code: 'CARD_ERROR', details: { sw: '6884' } });
  });

  it('the software card runs a chained command as one', async () => {
    const card = new SoftCard(await makeTestCard({ behaviour: { extendedLength: false } }));
    card.powerOn();
    // SELECT by AID split over two parts.
    const aid = 'A000000063504B43532D3135';
    expect(hex((await card.process(fromHex(`10A4040C06${aid.slice(0, 12)}`)))!)).toBe('9000');
    expect(hex((await card.process(fromHex(`00A4040C06${aid.slice(12)}`)))!)).toBe('9000');
  });
});
