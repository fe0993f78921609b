import { createHash, createPublicKey, verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CardService } from '../../../native/card-service';
import { openCardFile } from '../../../native/softcard';
import { DemoInProcessReader } from '../../../native/softcard/in-process';
import { SoftCard } from '../../../native/softcard/soft-card';
import { failure } from '../../support/failure';
import { makeTestCard, type TestCardOptions } from '../../support/test-certs';

const pinBytes = (s: string) => new TextEncoder().encode(s);

async function setup(o: TestCardOptions = {}) {
  const card = new SoftCard(await makeTestCard(o));
  const reader = new DemoInProcessReader();
  reader.insert(card);
  return { card, reader, service: new CardService(reader), name: reader.readerName };
}

describe('the software card, driven in-process', () => {
  for (const alg of ['RSA-2048', 'EC-P256'] as const) {
    it(`signs a SHA-256 hash with the ${alg} authentication key, verifiable against the certificate`, async () => {
      const { service, name } = await setup({ alg });
      const cert = new X509Certificate(await service.readCertificate(name));
      expect(cert.keyUsage ?? []).not.toContain('1.3.6.1.5.5.7.3.4');
      const data = Buffer.from('hash(hash(origin) || hash(nonce))');
      const hash = createHash('sha256').update(data).digest();
      const pin = pinBytes('1234');
      const res = await service.sign(name, pin, hash, 'SHA-256');
      expect(pin.every((b) => b === 0)).toBe(true);
      expect(Buffer.from(res.certificateDer).equals(cert.raw)).toBe(true);
      expect(res.algorithm).toBe(alg === 'RSA-2048' ? 'RS256' : 'ES256');
      const key = createPublicKey(cert.publicKey.export({ type: 'spki', format: 'pem' }));
      const ok =
        alg === 'RSA-2048'
          ? verify('sha256', data, key, res.signature)
          : verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, res.signature);
      expect(ok).toBe(true);
    });
  }

  it('signs SHA-384 (RS384) too', async () => {
    const { service, name } = await setup({ alg: 'RSA-2048' });
    const data = Buffer.from('x');
    const res = await service.sign(name, pinBytes('1234'), createHash('sha384').update(data).digest(), 'SHA-384');
    expect(res.algorithm).toBe('RS384');
    expect(verify('sha384', data, new X509Certificate(res.certificateDer).publicKey, res.signature)).toBe(true);
  });

  it('picks the authentication key (digitalSignature), never the nonRepudiation key listed first', async () => {
    const { service, name, card } = await setup({ alg: 'EC-P256', withSignKey: true });
    const cert = new X509Certificate(await service.readCertificate(name));
    expect(cert.raw.equals(new X509Certificate(card.cardFile.auth.certificateChainPem[0]!).raw)).toBe(true);
  });

  it('counts a wrong PIN down (3 → 2), and a right PIN restores the counter', async () => {
    const { service, name } = await setup();
    expect(await service.getPinStatus(name)).toEqual({ triesLeft: 3, blocked: false });
    const f = await failure(service.sign(name, pinBytes('9999'), new Uint8Array(32), 'SHA-256'));
    expect(f.code).toBe('PIN_WRONG');
    expect(f.details).toEqual({ triesLeft: 2 });
    expect(await service.getPinStatus(name)).toEqual({ triesLeft: 2, blocked: false });
    await service.sign(name, pinBytes('1234'), new Uint8Array(32), 'SHA-256');
    expect(await service.getPinStatus(name)).toEqual({ triesLeft: 3, blocked: false });
  });

  it('blocks after the last try and explains the PUK in Swedish', async () => {
    const { service, name } = await setup({ pinTries: 1 });
    const f = await failure(service.sign(name, pinBytes('0000'), new Uint8Array(32), 'SHA-256'));
    expect(f.code).toBe('PIN_BLOCKED');
    expect(f.message).toMatch(/PUK/);
    expect(f.message).toMatch(/IT-kontaktperson/);
    expect(await service.getPinStatus(name)).toEqual({ triesLeft: 0, blocked: true });
    // The right PIN does not help any more, and is never sent: the counter is read first.
    expect((await failure(service.sign(name, pinBytes('1234'), new Uint8Array(32), 'SHA-256'))).code).toBe('PIN_BLOCKED');
  });

  it('refuses a badly formed PIN before the card sees it', async () => {
    const { service, name } = await setup();
    for (const bad of ['12', '1234567890123', '12a4']) {
      expect((await failure(service.sign(name, pinBytes(bad), new Uint8Array(32), 'SHA-256'))).code).toBe('PIN_INVALID_FORMAT');
    }
    expect(await service.getPinStatus(name)).toEqual({ triesLeft: 3, blocked: false });
  });

  it('does not stay PIN-verified after signing (the card is reset)', async () => {
    const { card, reader, name } = await setup();
    await new CardService(reader).sign(name, pinBytes('1234'), new Uint8Array(32), 'SHA-256');
    // VERIFY without data after the operation: not verified (63C3), not 9000.
    const res = await card.process(Uint8Array.of(0x00, 0x20, 0x00, 0x81));
    expect(Buffer.from(res!).toString('hex')).toBe('63c3');
  });

  it('works with a card that answers 61xx (GET RESPONSE) and 6Cxx (wrong Le) and a slow signature', async () => {
    const { service, name } = await setup({ alg: 'RSA-2048', behaviour: { useGetResponse: true, wrongLeFirst: true, signDelayMs: 50 } });
    const res = await service.sign(name, pinBytes('1234'), new Uint8Array(32), 'SHA-256');
    expect(res.signature.length).toBe(256);
  });

  it('reports removal during signing as CARD_REMOVED', async () => {
    const { service, name, reader } = await setup({ behaviour: { signDelayMs: 300 } });
    const p = service.sign(name, pinBytes('1234'), new Uint8Array(32), 'SHA-256');
    setTimeout(() => reader.remove(), 100);
    expect((await failure(p)).code).toBe('CARD_REMOVED');
    expect((await failure(service.readCertificate(name))).code).toBe('NO_CARD');
  });

  it('unblocks with the PUK (RESET RETRY COUNTER) and sets a new PIN', async () => {
    const { card, service, name } = await setup({ pinTries: 0 });
    const pad = (s: string) => { const b = Buffer.alloc(12, 0xff); b.write(s, 'ascii'); return b; };
    const wrong = await card.process(Uint8Array.from([0x00, 0x2c, 0x00, 0x81, 24, ...pad('00000000'), ...pad('5678')]));
    expect(Buffer.from(wrong!).toString('hex')).toBe('63c4');
    const ok = await card.process(Uint8Array.from([0x00, 0x2c, 0x00, 0x81, 24, ...pad('12345678'), ...pad('5678')]));
    expect(Buffer.from(ok!).toString('hex')).toBe('9000');
    await service.sign(name, pinBytes('5678'), new Uint8Array(32), 'SHA-256');
  });

  it('writes the retry counters back to the card file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'softcard-'));
    const path = join(dir, 'card.json');
    writeFileSync(path, JSON.stringify(await makeTestCard()));
    const reader = new DemoInProcessReader();
    reader.insert(await openCardFile(path));
    const service = new CardService(reader);
    await failure(service.sign(reader.readerName, pinBytes('1111'), new Uint8Array(32), 'SHA-256'));
    expect(JSON.parse(readFileSync(path, 'utf8')).pin.triesLeft).toBe(2);
    const again = new DemoInProcessReader();
    again.insert(await openCardFile(path));
    expect(await new CardService(again).getPinStatus(again.readerName)).toEqual({ triesLeft: 2, blocked: false });
  });
});
