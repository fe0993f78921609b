import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SessionState } from '#contract';
import { cardAccessOver, type CardAccess } from '../../../main/session/card-access';
import { PcscReaders, type DigestsByHash, type SignResult } from '../../../native';
import { concat, seq, tlv } from '../../../native/der/writer';
import { insertCardFile } from '../../../native/softcard';
import { startStack, type Stack } from '../../support/stack';

/**
 * An ECC P-384 card logs in through the real PC/SC path (pcscd + vpcd, our PKCS#15 reader) to the
 * real server: the workstation lets the card's key choose the hash, so a P-384 key signs the
 * SHA-384 digest (ES384), the pairing the server verifies. The signature the card made is also
 * checked by OpenSSL's own `openssl pkeyutl -verify` against the certificate's key. An RSA and a
 * P-256 card on the same path still sign SHA-256 (RS256 / ES256).
 */
const run = promisify(execFile);
let stack: Stack;
let dir: string;
const signed: { digests: DigestsByHash; result: SignResult }[] = [];

beforeAll(async () => {
  const pcsc = cardAccessOver(new PcscReaders());
  const card: CardAccess = {
    ...pcsc,
    sign: async (reader, pin, hash, alg) => {
      const result = await pcsc.sign(reader, pin, hash, alg);
      if (!(hash instanceof Uint8Array)) signed.push({ digests: { 'SHA-256': Uint8Array.from(hash['SHA-256']), 'SHA-384': Uint8Array.from(hash['SHA-384']) }, result });
      return result;
    },
  };
  stack = await startStack('p384-login', { card });
  dir = mkdtempSync(path.join(tmpdir(), 'p384-login-'));
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The workstation's answer to a renderer call, unwrapped (a refusal fails the test with its code and message). */
async function call<T>(method: string, input: unknown = {}): Promise<T> {
  const r = await stack.workstation.dispatch(method, input);
  if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
  return r.value as T;
}

/** IEEE P1363 r‖s → DER ECDSA-Sig-Value, as OpenSSL reads it. */
function p1363ToDer(raw: Uint8Array): Uint8Array {
  const int = (b: Uint8Array) => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    const v = b.subarray(i);
    return tlv(0x02, v[0]! & 0x80 ? concat(Uint8Array.of(0), v) : v);
  };
  const half = raw.length / 2;
  return seq(int(raw.subarray(0, half)), int(raw.subarray(half)));
}

describe('login with the hash the card key chooses, through pcscd + vpcd', () => {
  for (const [algorithm, expected, hash] of [
    ['EC-P384', 'ES384', 'SHA-384'],
    ['ec', 'ES256', 'SHA-256'],
    ['rsa', 'RS256', 'SHA-256'],
  ] as const) {
    it(`${algorithm}: logs in with ${expected}${algorithm === 'EC-P384' ? ', and OpenSSL verifies the card signature' : ''}`, async () => {
      const cardFile = await stack.issueCard({ hsaId: 'SE2321000131-P000000000103', givenName: 'Sara', familyName: 'Nyström', algorithm });
      const card = await insertCardFile(cardFile, { port: 35963 });
      try {
        await vi.waitFor(async () => expect((await call<{ selectedReader: string | null }>('card.status')).selectedReader).toMatch(/^Virtual PCD 00 00/), {
          timeout: 5000,
          interval: 50,
        });
        const before = signed.length;
        const state = await call<SessionState>('session.login', { pin: '123456' });
        expect(state.state).toBe('active');
        expect(state.user?.hsaId).toBe('SE2321000131-P000000000103');
        expect(signed.length).toBe(before + 1);
        const { digests, result } = signed.at(-1)!;
        expect(result.algorithm).toBe(expected);
        if (algorithm === 'EC-P384') {
          expect(result.signature.length).toBe(96);
          const pub = path.join(dir, 'pub.pem');
          const digest = path.join(dir, 'digest.bin');
          const sig = path.join(dir, 'sig.der');
          writeFileSync(pub, new X509Certificate(result.certificateDer).publicKey.export({ type: 'spki', format: 'pem' }));
          writeFileSync(digest, digests[hash]);
          writeFileSync(sig, p1363ToDer(result.signature));
          const { stdout } = await run('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', pub, '-in', digest, '-sigfile', sig]);
          expect(stdout.trim()).toBe('Signature Verified Successfully');
        }
        await call('session.logout');
      } finally {
        await card.close();
        // The next card goes into an empty reader, not one the workstation still thinks holds this card.
        await vi.waitFor(async () => expect((await call<{ readers: { cardPresent: boolean }[] }>('card.status')).readers.some((r) => r.cardPresent)).toBe(false), {
          timeout: 5000,
          interval: 50,
        });
      }
    });
  }
});
