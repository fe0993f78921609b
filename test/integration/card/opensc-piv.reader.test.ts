import { execFile } from 'node:child_process';
import { createHash, verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CARD_PROFILES } from '../../../native/softcard/profiles';
import { openscConf, pkcs15Tool } from '../../support/opensc';
import { makeTestCard, type KeyAlg } from '../../support/test-certs';
import { READER_A, Rig, pin } from './helpers';

/**
 * The software card with its PIV applet (profile `piv-applet`) in the real pcscd + vpcd reader,
 * read and used by OpenSC's own PIV driver — the middleware path (opensc-pkcs11.so) that cannot
 * sign with a plain PKCS#15 card — and by our PC/SC stack through the PKCS#15 application of the
 * same card:
 *   1. pkcs15-tool lists the PIV objects and reads the authentication certificate byte for byte;
 *   2. pkcs11-tool --list-objects shows it; pkcs11-tool --login --sign signs, and OpenSSL's own
 *      `openssl dgst -verify` accepts the signature with the certificate's key;
 *   3. our stack signs on the same card with the hash the key chooses (SHA-384 for P-384 → ES384).
 * Run under the shared reader lock (project `integration`).
 */
const OPENSC = '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so';
const run = promisify(execFile);
const profile = CARD_PROFILES['piv-applet'];

let rig: Rig;
let dir: string;
let conf: string;
beforeAll(() => {
  rig = new Rig();
  dir = mkdtempSync(path.join(tmpdir(), 'opensc-piv-'));
  conf = openscConf();
});
afterAll(async () => {
  await rig.close();
  rmSync(dir, { recursive: true, force: true });
});

const tool = (cmd: string, args: string[]) =>
  run(cmd, args, { env: { ...process.env, OPENSC_CONF: conf }, timeout: 30_000 }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
  );

const cases: { alg: KeyAlg; mechanism: string; digest: 'sha256' | 'sha384' }[] = [
  { alg: 'RSA-2048', mechanism: 'SHA256-RSA-PKCS', digest: 'sha256' },
  { alg: 'RSA-3072', mechanism: 'SHA256-RSA-PKCS', digest: 'sha256' },
  { alg: 'EC-P256', mechanism: 'ECDSA-SHA256', digest: 'sha256' },
  { alg: 'EC-P384', mechanism: 'ECDSA-SHA384', digest: 'sha384' },
];

describe("OpenSC's PIV driver and opensc-pkcs11.so with the software card's PIV applet", () => {
  for (const { alg, mechanism, digest } of cases) {
    it(`${alg}: pkcs15-tool reads it, pkcs11-tool signs (OpenSSL verifies), our stack signs the same card`, async () => {
      const file = await makeTestCard({ alg, pin: '123456', atrHex: profile.atrHex, behaviour: profile.behaviour });
      const authDer = new X509Certificate(file.auth.certificateChainPem[0]!).raw;
      const vpcd = await rig.insert(file, READER_A);
      try {
        // 1. OpenSC's PIV driver: the PIV objects (key 9A, PIN 80), the certificate as on the card.
        const p15 = await pkcs15Tool(['--list-certificates', '--list-keys', '--list-pins', '--read-certificate', '01'], { conf });
        expect(p15.code, p15.stdout + p15.stderr).toBe(0);
        expect(p15.objects.find((o) => o.kind === 'X.509 Certificate' && o.fields['ID'] === '01')?.label).toBe('Certificate for PIV Authentication');
        expect(p15.objects.find((o) => /^Private/.test(o.kind) && o.fields['ID'] === '01')?.fields['Key ref']).toBe('154 (0x9A)');
        expect(p15.objects.find((o) => o.kind === 'PIN' && o.label === 'PIN')?.fields['Reference']).toBe('128 (0x80)');
        expect(p15.pem.find((p) => p.type === 'CERTIFICATE')?.der.equals(authDer)).toBe(true);

        // 2. The PKCS#11 module: objects, then a signature that OpenSSL verifies.
        const list = await tool('pkcs11-tool', ['--module', OPENSC, '--list-objects']);
        expect(list.code, list.out).toBe(0);
        expect(list.out).toContain('Certificate for PIV Authentication');
        const data = path.join(dir, `${alg}.data`);
        const sig = path.join(dir, `${alg}.sig`);
        const pub = path.join(dir, `${alg}.pub.pem`);
        writeFileSync(data, `inloggning med ${alg}`);
        writeFileSync(pub, new X509Certificate(authDer).publicKey.export({ type: 'spki', format: 'pem' }));
        const signed = await tool('pkcs11-tool', [
          ...['--module', OPENSC, '--login', '--pin', '123456', '--sign', '--id', '01', '-m', mechanism],
          ...['--input-file', data, '--output-file', sig],
          ...(alg.startsWith('EC') ? ['--signature-format', 'openssl'] : []),
        ]);
        expect(signed.code, signed.out).toBe(0);
        const checked = await tool('openssl', ['dgst', `-${digest}`, '-verify', pub, '-signature', sig, data]);
        expect(checked.out.trim()).toBe('Verified OK');
        expect(checked.code).toBe(0);

        // 3. Our stack, PKCS#15 application of the same card, the hash chosen by the key.
        const message = Buffer.from('login');
        const digests = { 'SHA-256': createHash('sha256').update(message).digest(), 'SHA-384': createHash('sha384').update(message).digest() };
        const ours = await rig.service.sign(READER_A.name, pin('123456'), digests, 'SHA-256');
        expect(ours.algorithm).toBe({ 'RSA-2048': 'RS256', 'RSA-3072': 'RS256', 'EC-P256': 'ES256', 'EC-P384': 'ES384' }[alg as string]);
        const key = new X509Certificate(ours.certificateDer).publicKey;
        expect(verify(digest, message, alg.startsWith('EC') ? { key, dsaEncoding: 'ieee-p1363' } : key, ours.signature)).toBe(true);
      } finally {
        await vpcd.close();
        await vi.waitFor(() => expect(rig.service.snapshot().every((r) => !r.cardPresent), 'reader empty').toBe(true), { timeout: 3000, interval: 10 });
      }
    });
  }
});
