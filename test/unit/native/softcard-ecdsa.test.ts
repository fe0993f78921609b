import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../../native/apdu/command';
import { seq } from '../../../native/der/writer';
import { SoftCard } from '../../../native/softcard/soft-card';
import { makeTestCard } from '../../support/test-certs';

/** Raw r‖s (what the card returns) as the DER ECDSA-Sig-Value OpenSSL verifies. */
function derSignature(raw: Uint8Array): Uint8Array {
  const integer = (b: Uint8Array) => {
    let v = b;
    while (v.length > 1 && v[0] === 0 && !(v[1]! & 0x80)) v = v.subarray(1);
    return Uint8Array.from([0x02, ...(v[0]! & 0x80 ? [v.length + 1, 0] : [v.length]), ...v]);
  };
  return seq(integer(raw.subarray(0, 32)), integer(raw.subarray(32)));
}

/** OpenSSL's verdict on a signature over a prehashed digest (pkeyutl signs/verifies the digest as given). */
function opensslVerifies(pubPem: string, digest: Uint8Array, sigDer: Uint8Array): boolean {
  const dir = mkdtempSync(path.join(tmpdir(), 'ecdsa-'));
  writeFileSync(path.join(dir, 'pub.pem'), pubPem);
  writeFileSync(path.join(dir, 'digest.bin'), digest);
  writeFileSync(path.join(dir, 'sig.der'), sigDer);
  try {
    execFileSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', 'pub.pem', '-in', 'digest.bin', '-sigfile', 'sig.der'], { cwd: dir, stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

describe('the software card signs ECDSA P-256 over a prehashed digest (@noble/curves)', () => {
  it('signs what OpenSSL verifies, for SHA-256 and SHA-384 digests, and nothing else verifies', async () => {
    const file = await makeTestCard({ alg: 'EC-P256' });
    const card = new SoftCard(file);
    const pub = new X509Certificate(file.auth.certificateChainPem[0]!).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const ok = async (apdu: string) => {
      const res = (await card.process(fromHex(apdu)))!;
      expect(Buffer.from(res.subarray(res.length - 2)).toString('hex')).toBe('9000');
      return res.subarray(0, res.length - 2);
    };
    await ok('00A404000CA000000063504B43532D3135');
    await ok(`002000810C${Buffer.from('1234').toString('hex')}${'FF'.repeat(8)}`); // PIN padded with FF to 12
    await ok('002241B606800104840101');
    for (const alg of ['sha256', 'sha384']) {
      const digest = createHash(alg).update(`login challenge ${alg}`).digest();
      const sig = await ok(`002A9E9A${digest.length.toString(16).padStart(2, '0')}${digest.toString('hex')}00`);
      expect(sig.length).toBe(64);
      expect(opensslVerifies(pub, digest, derSignature(sig))).toBe(true);
      const other = createHash(alg).update('another challenge').digest();
      expect(opensslVerifies(pub, other, derSignature(sig))).toBe(false);
    }
  });
});
