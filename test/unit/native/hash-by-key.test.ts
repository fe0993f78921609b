import { constants, createHash, publicDecrypt, verify, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signedData } from '#contract';
import { fromHex } from '../../../native/apdu/command';
import { CardService } from '../../../native/card-service';
import { hashForKey } from '../../../native/profiles/profile';
import { DemoInProcessReader } from '../../../native/softcard/in-process';
import { PIV_AID } from '../../../native/softcard/piv-applet';
import { SoftCard } from '../../../native/softcard/soft-card';
import { verifyLoginSignature } from '../../../server/auth/signature';
import * as x509 from '../../../server/auth/x509';
import { failure } from '../../support/failure';
import { makeTestCard, type KeyAlg } from '../../support/test-certs';

const pin = (s: string) => new TextEncoder().encode(s);

describe('the login hash chosen by the card key', () => {
  it('SHA-384 for P-384, SHA-256 for P-256 and RSA of any size', () => {
    expect(hashForKey({ type: 'EC', curveBytes: 48 })).toBe('SHA-384');
    expect(hashForKey({ type: 'EC', curveBytes: 32 })).toBe('SHA-256');
    expect(hashForKey({ type: 'RSA' })).toBe('SHA-256');
  });

  for (const [alg, expected] of [
    ['EC-P384', 'ES384'],
    ['EC-P256', 'ES256'],
    ['RSA-2048', 'RS256'],
  ] as const) {
    it(`${alg}: the card signs the digest its key chooses (${expected}) and the server's verifier accepts it`, async () => {
      const reader = new DemoInProcessReader();
      reader.insert(new SoftCard(await makeTestCard({ alg })));
      const service = new CardService(reader);
      const origin = 'https://omsorg.test';
      const nonce = 'bm9uY2Vub25jZW5vbmNlbm9uY2Vub25jZQ';
      const digests = { 'SHA-256': await signedData(origin, nonce, 'SHA-256'), 'SHA-384': await signedData(origin, nonce, 'SHA-384') };
      const res = await service.sign(reader.readerName, pin('1234'), digests, 'SHA-256');
      expect(res.algorithm).toBe(expected);
      const cert = new x509.X509Certificate(new Uint8Array(res.certificateDer));
      expect(await verifyLoginSignature(cert, res.algorithm, res.signature, origin, nonce)).toBe(true);
      // The hash the key did not choose would not verify: the server checks curve and hash together.
      const other = expected === 'ES384' ? 'ES256' : expected === 'ES256' ? 'ES384' : 'RS384';
      expect(await verifyLoginSignature(cert, other, res.signature, origin, nonce)).toBe(false);
      await service.close();
    });
  }

  it('refuses a digest of the wrong length before the PIN is used', async () => {
    const reader = new DemoInProcessReader();
    const card = new SoftCard(await makeTestCard({ alg: 'EC-P384' }));
    reader.insert(card);
    const service = new CardService(reader);
    const e = await failure(service.sign(reader.readerName, pin('1234'), { 'SHA-256': new Uint8Array(32), 'SHA-384': new Uint8Array(32) }, 'SHA-256'));
    expect(e.code).toBe('VALIDATION');
    expect(card.cardFile.pin.triesLeft).toBe(3);
    await service.close();
  });
});

/** Sends one APDU (hex) to the card and answers [data, SW]. */
async function send(card: SoftCard, hex: string): Promise<[Buffer, string]> {
  const res = (await card.process(fromHex(hex.replace(/\s/g, ''))))!;
  return [Buffer.from(res.subarray(0, -2)), Buffer.from(res.subarray(-2)).toString('hex').toUpperCase()];
}

/** GET RESPONSE until 9000. */
async function all(card: SoftCard, first: [Buffer, string]): Promise<[Buffer, string]> {
  let [data, sw] = first;
  while (sw.startsWith('61')) {
    const [more, next] = await send(card, `00C00000${sw.slice(2)}`);
    data = Buffer.concat([data, more]);
    sw = next;
  }
  return [data, sw];
}

describe('the software card PIV applet (NIST SP 800-73-4)', () => {
  for (const alg of ['RSA-2048', 'EC-P384'] as KeyAlg[]) {
    it(`${alg}: SELECT, GET DATA of the certificate, VERIFY 80, GENERAL AUTHENTICATE with key 9A`, async () => {
      const file = await makeTestCard({ alg, pin: '123456', behaviour: { pivApplet: true, pinPadding: { char: 0xff, length: 8 } } });
      const card = new SoftCard(file);
      card.powerOn();
      // Not selected: the PIV commands are unknown.
      expect((await send(card, '00CB3FFF055C035FC105'))[1]).toBe('6D00');
      const [apt, sw] = await send(card, `00A4040009${Buffer.from(PIV_AID.subarray(0, 9)).toString('hex')}00`);
      expect([apt[0], sw]).toEqual([0x61, '9000']);
      const [obj, sw2] = await all(card, await send(card, '00CB3FFF055C035FC10500'));
      expect(sw2).toBe('9000');
      const der = new X509Certificate(file.auth.certificateChainPem[0]!).raw;
      expect(obj.subarray(obj.indexOf(der[0]!, 4)).subarray(0, der.length).equals(der)).toBe(true);
      expect((await send(card, '00CB3FFF055C035FC10100'))[1]).toBe('6A82');
      // PIN tries, wrong PIN, right PIN (FF-padded to 8).
      expect((await send(card, '0020008000'))[1]).toBe('63C3');
      expect((await send(card, `0020008008${Buffer.from('999999').toString('hex')}FFFF`))[1]).toBe('63C2');
      const message = createHash(alg === 'EC-P384' ? 'sha384' : 'sha256').update('login').digest();
      const rsa = alg.startsWith('RSA');
      // Signing needs the PIN.
      const challenge = rsa ? pkcs1Block(message, 256) : message;
      const body = Buffer.concat([Buffer.from([0x82, 0x00, 0x81]), lengthOf(challenge.length), challenge]);
      const command = Buffer.concat([Buffer.from([0x7c]), lengthOf(body.length), body]);
      const ga = (p1: string, p2: string) => `10 87 ${p1} ${p2}`;
      const gaApdus = (p1: string, p2: string): string[] => {
        const parts: string[] = [];
        for (let i = 0; i < command.length; i += 255) {
          const part = command.subarray(i, i + 255);
          const last = i + 255 >= command.length;
          parts.push(`${last ? `00 87 ${p1} ${p2}` : ga(p1, p2)} ${part.length.toString(16).padStart(2, '0')} ${part.toString('hex')}${last ? '00' : ''}`);
        }
        return parts;
      };
      const sendAll = async (apdus: string[]) => {
        let r: [Buffer, string] = [Buffer.alloc(0), ''];
        for (const a of apdus) r = await send(card, a);
        return all(card, r);
      };
      const algId = rsa ? '07' : '14';
      expect((await sendAll(gaApdus(algId, '9A')))[1]).toBe('6982');
      expect((await send(card, `0020008008${Buffer.from('123456').toString('hex')}FFFF`))[1]).toBe('9000');
      expect((await sendAll(gaApdus(algId, '9B')))[1]).toBe('6A88');
      expect((await sendAll(gaApdus(rsa ? '05' : '11', '9A')))[1]).toBe('6A80');
      const [resp, sw3] = await sendAll(gaApdus(algId, '9A'));
      expect(sw3).toBe('9000');
      expect(resp[0]).toBe(0x7c);
      const template = valueOf(resp);
      expect(template[0]).toBe(0x82);
      const sig = valueOf(template);
      const key = new X509Certificate(file.auth.certificateChainPem[0]!).publicKey;
      if (rsa) expect(publicDecrypt({ key, padding: constants.RSA_NO_PADDING }, sig).equals(challenge)).toBe(true);
      else expect(verify('sha384', Buffer.from('login'), { key, dsaEncoding: 'der' }, sig)).toBe(true);
    });
  }
});

/** The value of the BER-TLV at the start of `b` (one-byte tag). */
function valueOf(b: Buffer): Buffer {
  const l = b[1]!;
  const [start, len] = l < 0x80 ? [2, l] : l === 0x81 ? [3, b[2]!] : [4, (b[2]! << 8) | b[3]!];
  return b.subarray(start, start + len);
}

const lengthOf = (n: number): Buffer => (n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]));

/** PKCS#1 v1.5 type 1 block over a SHA-256 DigestInfo, as the host pads for a raw RSA card. */
function pkcs1Block(hash: Buffer, size: number): Buffer {
  const info = Buffer.concat([Buffer.from('3031300d060960864801650304020105000420', 'hex'), hash]);
  return Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(size - info.length - 3, 0xff), Buffer.from([0]), info]);
}
