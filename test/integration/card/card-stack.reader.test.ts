import { execFileSync } from 'node:child_process';
import { createHash, verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApduSession } from '../../../native/apdu/session';
import { ALLOW } from '../../../native/apdu/status';
import { makeTestCard } from '../../support/test-certs';
import { READER_A, READER_B, Rig, failure, pin, softCard, spy } from './helpers';

let rig: Rig | undefined;
const newRig = (...a: ConstructorParameters<typeof Rig>): Rig => (rig = new Rig(...a));
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const verifies = (certDer: Uint8Array, data: Buffer, sig: Uint8Array, hash = 'sha256'): boolean => {
  const key = new X509Certificate(certDer).publicKey;
  return key.asymmetricKeyType === 'ec' ? verify(hash, data, { key, dsaEncoding: 'ieee-p1363' }, sig) : verify(hash, data, key, sig);
};

describe('the card stack through real pcscd + vpcd + the software card', () => {
  it('lists both virtual readers', async () => {
    const r = newRig();
    const names = (await r.service.listReaders()).map((x) => x.name);
    expect(names).toEqual(expect.arrayContaining([READER_A.name, READER_B.name]));
  });

  for (const alg of ['RSA-2048', 'EC-P256'] as const) {
    it(`logs in with ${alg}: reads the certificate, signs, and the signature verifies against it`, async () => {
      const r = newRig();
      const card = await softCard({ alg });
      await r.insert(card);
      const cert = await r.service.readCertificate(READER_A.name);
      expect(Buffer.from(cert).equals(new X509Certificate(card.auth.certificateChainPem[0]!).raw)).toBe(true);
      const data = Buffer.from('hash(hash(origin) || hash(nonce))');
      // The login budget (< 500 ms) is measured by `npm run bench -- login`, not asserted here.
      const res = await r.service.sign(READER_A.name, pin('1234'), createHash('sha256').update(data).digest(), 'SHA-256');
      expect(res.algorithm).toBe(alg === 'RSA-2048' ? 'RS256' : 'ES256');
      expect(verifies(res.certificateDer, data, res.signature)).toBe(true);
    });
  }

  it('does not leave the card PIN-verified after signing (disconnect with reset)', async () => {
    const r = newRig();
    await r.insert(await softCard());
    await r.service.sign(READER_A.name, pin('1234'), new Uint8Array(32), 'SHA-256');
    const sw = await r.readers.withCard(READER_A.name, async (c) => {
      const s = new ApduSession(c.transport);
      await s.send({ cla: 0, ins: 0xa4, p1: 4, p2: 0x0c, data: Buffer.from('A000000063504B43532D3135', 'hex') });
      return (await s.send({ cla: 0, ins: 0x20, p1: 0, p2: 0x81 }, ALLOW.verify)).sw;
    }, { share: 'shared' });
    expect(sw.toString(16)).toBe('63c3');
  });

  it('counts a wrong PIN down (3 → 2) and says so', async () => {
    const r = newRig();
    await r.insert(await softCard());
    expect(await r.service.getPinStatus(READER_A.name)).toEqual({ triesLeft: 3, blocked: false });
    const f = await failure(r.service.sign(READER_A.name, pin('4321'), new Uint8Array(32), 'SHA-256'));
    expect(f.code).toBe('PIN_WRONG');
    expect(f.details).toEqual({ triesLeft: 2 });
    expect(await r.service.getPinStatus(READER_A.name)).toEqual({ triesLeft: 2, blocked: false });
  });

  it('blocks the card on the last wrong try (PIN_BLOCKED, PUK explained), and a blocked card never gets the PIN', async () => {
    const r = newRig();
    const card = await r.insert(await softCard({ pinTries: 1 }));
    const f = await failure(r.service.sign(READER_A.name, pin('0000'), new Uint8Array(32), 'SHA-256'));
    expect(f.code).toBe('PIN_BLOCKED');
    expect(f.message).toContain('PUK');
    expect(await r.service.getPinStatus(READER_A.name)).toEqual({ triesLeft: 0, blocked: true });
    const verifiesBefore = (await spy(card)).ins.filter((i) => i === 0x20).length;
    expect((await failure(r.service.sign(READER_A.name, pin('1234'), new Uint8Array(32), 'SHA-256'))).code).toBe('PIN_BLOCKED');
    expect((await spy(card)).ins.filter((i) => i === 0x20).length).toBe(verifiesBefore + 1); // only the counter query
  });

  // The 1-second budget for removal → lock is measured by `npm run bench -- login`.
  it('reports removal during a session', async () => {
    const r = newRig();
    const v = await r.insert(await softCard());
    await r.service.readCertificate(READER_A.name);
    const t0 = Date.now();
    await v.close();
    await expect.poll(() => r.events.some((x) => x.at >= t0 && x.e.type === 'card-removed' && x.e.reader === READER_A.name), { timeout: 5000, interval: 10, message: 'card-removed' }).toBe(true);
    expect((await failure(r.service.readCertificate(READER_A.name))).code).toBe('NO_CARD');
  });

  it('also sees the removal with status events off (the reader + ATR poll fallback)', async () => {
    const r = newRig({ statusEvents: false, pollMs: 200 });
    await r.service.listReaders();
    const v = await r.insert(await softCard());
    const t0 = Date.now();
    await v.close();
    await expect.poll(() => r.events.some((x) => x.at >= t0 && x.e.type === 'card-removed'), { timeout: 5000, interval: 10, message: 'card-removed by poll' }).toBe(true);
  });

  it('fails a signature with CARD_REMOVED when the card is pulled during signing, without hanging', async () => {
    const r = newRig();
    const v = await r.insert(await softCard({ behaviour: { signDelayMs: 3000 } }));
    const started = Date.now();
    const p = r.service.sign(READER_A.name, pin('1234'), new Uint8Array(32), 'SHA-256');
    setTimeout(() => void v.close(), 300);
    const f = await failure(p);
    expect(f.toError()).toMatchObject({ code: 'CARD_REMOVED' });
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('reads through 61xx chains with GET RESPONSE', async () => {
    const r = newRig();
    const card = await r.insert(await softCard({ alg: 'RSA-2048', behaviour: { useGetResponse: true } }));
    const res = await r.service.sign(READER_A.name, pin('1234'), createHash('sha256').update('x').digest(), 'SHA-256');
    expect(verifies(res.certificateDer, Buffer.from('x'), res.signature)).toBe(true);
    const log = await spy(card);
    expect(log.ins.filter((i) => i === 0xc0).length).toBeGreaterThan(5);
    expect(log.sws.some((s) => s.startsWith('61'))).toBe(true);
  });

  it('resends with the right Le on 6Cxx', async () => {
    const r = newRig();
    const card = await r.insert(await softCard({ behaviour: { wrongLeFirst: true } }));
    const cert = await r.service.readCertificate(READER_A.name);
    expect(new X509Certificate(cert).subject).toContain('Test Testsson');
    expect((await spy(card)).sws.some((s) => s.startsWith('6C'))).toBe(true);
  });

  it('serves two readers with two different cards at the same time', async () => {
    const r = newRig();
    const a = await softCard({ alg: 'RSA-2048', slot: 1 });
    const b = await softCard({ alg: 'EC-P256', slot: 2 });
    await r.insert(a, READER_A);
    await r.insert(b, READER_B);
    const data = Buffer.from('two readers');
    const hash = createHash('sha256').update(data).digest();
    const [ra, rb] = await Promise.all([
      r.service.sign(READER_A.name, pin('1234'), hash, 'SHA-256'),
      r.service.sign(READER_B.name, pin('1234'), hash, 'SHA-256'),
    ]);
    expect(ra.algorithm).toBe('RS256');
    expect(rb.algorithm).toBe('ES256');
    expect(new X509Certificate(ra.certificateDer).subject).toContain('T001');
    expect(new X509Certificate(rb.certificateDer).subject).toContain('T002');
    expect(verifies(ra.certificateDer, data, ra.signature) && verifies(rb.certificateDer, data, rb.signature)).toBe(true);
  });

  it('works again after the card is re-inserted, with the retry counter kept in the card file', async () => {
    const r = newRig();
    const dir = mkdtempSync(join(tmpdir(), 'softcard-'));
    const path = join(dir, 'card.json');
    writeFileSync(path, JSON.stringify(await makeTestCard({ alg: 'EC-P256' })));
    const first = await r.insert(path);
    await failure(r.service.sign(READER_A.name, pin('9999'), new Uint8Array(32), 'SHA-256'));
    await first.close();
    await expect.poll(() => !r.service.snapshot().find((x) => x.name === READER_A.name)?.cardPresent, { timeout: 1000, interval: 10, message: 'removal' }).toBe(true);
    expect(JSON.parse(readFileSync(path, 'utf8')).pin.triesLeft).toBe(2);
    await r.insert(path);
    expect(await r.service.getPinStatus(READER_A.name)).toEqual({ triesLeft: 2, blocked: false });
    await r.service.sign(READER_A.name, pin('1234'), new Uint8Array(32), 'SHA-256');
    const types = r.events.filter((x) => 'reader' in x.e && x.e.reader === READER_A.name).map((x) => x.e.type);
    expect(types).toEqual(['reader-added', 'card-inserted', 'card-removed', 'card-inserted']);
  });

  it('says PCSC_UNAVAILABLE, in words a user can act on, when the PC/SC service is not running', () => {
    const child = join(import.meta.dirname, 'pcsc-unavailable.child.ts');
    const out = execFileSync(process.execPath, ['--import', 'tsx', child], {
      env: { ...process.env, PCSCLITE_CSOCK_NAME: join(tmpdir(), 'no-pcscd-here', 'pcscd.comm') },
      encoding: 'utf8',
      timeout: 20_000,
    });
    const res = JSON.parse(out.trim().split('\n').pop()!);
    expect(res.listReaders.code).toBe('PCSC_UNAVAILABLE');
    expect(res.listReaders.message).toMatch(/Kortläsartjänsten/);
    expect(res.readCertificate.code).toBe('PCSC_UNAVAILABLE');
    expect(res.events).toContain('unavailable');
  });
});
