import { execFileSync } from 'node:child_process';
import { createHash, verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppFailure } from '#contract';
import { Pkcs11Tokens } from '../../../native/pkcs11/pkcs11-tokens';
import type { CardEvent } from '../../../native/readers';
import { makeTestCard, type KeyAlg } from '../../support/test-certs';

/**
 * The PKCS#11 token stack against a real module (SoftHSM2, apt `softhsm2`): tokens as cards,
 * login with the user PIN, the authentication key chosen by its certificate, wrong PIN and removal.
 */
const MODULE = '/usr/lib/softhsm/libsofthsm2.so';
const dir = mkdtempSync(path.join(tmpdir(), 'softhsm-unit-'));
const env = { ...process.env, SOFTHSM2_CONF: path.join(dir, 'softhsm2.conf') };
let tokens: Pkcs11Tokens;
const events: CardEvent[] = [];

/** A token named `label` holding the signature key (id 02) and the authentication key (id 01) of a test card. */
async function token(label: string, alg: KeyAlg): Promise<string> {
  execFileSync('softhsm2-util', ['--init-token', '--free', '--label', label, '--so-pin', '87654321', '--pin', '123456'], { env, stdio: 'pipe' });
  const card = await makeTestCard({ alg, slot: alg === 'RSA-2048' ? 3 : 4 });
  for (const [id, key] of [['02', card.sign!], ['01', card.auth]] as const) {
    const base = path.join(dir, `${label}-${id}`);
    writeFileSync(`${base}.pem`, key.privateKeyPem);
    writeFileSync(`${base}.der`, new X509Certificate(key.certificateChainPem[0]!).raw);
    execFileSync('softhsm2-util', ['--import', `${base}.pem`, '--token', label, '--label', `k${id}`, '--id', id, '--pin', '123456'], { env, stdio: 'pipe' });
    execFileSync('pkcs11-tool', ['--module', MODULE, '--token-label', label, '--login', '--pin', '123456', '--write-object', `${base}.der`, '--type', 'cert', '--id', id], { env, stdio: 'pipe' });
  }
  return card.auth.certificateChainPem[0]!;
}

const certs: Record<string, string> = {};
beforeAll(async () => {
  writeFileSync(env.SOFTHSM2_CONF, `directories.tokendir = ${dir}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  certs.RSA = await token('RSA', 'RSA-2048');
  certs.EC = await token('EC', 'EC-P256');
  process.env.SOFTHSM2_CONF = env.SOFTHSM2_CONF;
  tokens = await Pkcs11Tokens.open({ module: MODULE, pollMs: 100 });
  tokens.subscribe((e) => events.push(e));
}, 60_000);
afterAll(async () => {
  await tokens?.close();
});

const readerOf = (label: string): string => {
  // SoftHSM2 names every slot "SoftHSM slot ID 0x…"; the token label tells them apart here.
  const present = tokens.readers().filter((r) => r.cardPresent);
  const found = present.find((r) => tokenLabel(r.name) === label);
  if (!found) throw new Error(`no reader with token ${label}`);
  return found.name;
};
const tokenLabel = (reader: string): string => tokens.labelOf(reader);

describe('the PKCS#11 card stack with SoftHSM2', () => {
  it('lists the slots as readers and the initialised tokens as cards', () => {
    expect(tokens.readers().filter((r) => r.cardPresent)).toHaveLength(2);
  });

  for (const kind of ['RSA', 'EC'] as const) {
    it(`${kind}: signs the hash with the authentication key (not the signature key), verifiable against its certificate`, async () => {
      const data = Buffer.from('login challenge');
      const hash = createHash('sha256').update(data).digest();
      const pin = Buffer.from('123456');
      const r = await tokens.sign(readerOf(kind), pin, hash, 'SHA-256');
      expect(pin.every((b) => b === 0)).toBe(true); // wiped
      expect(Buffer.from(r.certificateDer).equals(new X509Certificate(certs[kind]!).raw)).toBe(true);
      const key = new X509Certificate(r.certificateDer).publicKey;
      expect(r.algorithm).toBe(kind === 'RSA' ? 'RS256' : 'ES256');
      expect(kind === 'RSA' ? verify('sha256', data, key, r.signature) : verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, r.signature)).toBe(true);
    });
  }

  it('says "Fel PIN-kod" for a wrong PIN, with what the module tells about the tries left', async () => {
    const e = await tokens.sign(readerOf('RSA'), Buffer.from('999999'), new Uint8Array(32), 'SHA-256').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AppFailure);
    expect((e as AppFailure).code).toBe('PIN_WRONG');
    // SoftHSM2 raises CKF_USER_PIN_COUNT_LOW after a wrong PIN and never gives a count.
    expect((e as AppFailure).message).toBe('Fel PIN-kod. Få försök kvar innan kortet spärras.');
    expect(await tokens.pinStatus(readerOf('RSA'))).toEqual({ blocked: false });
  });

  it('reports a token that goes away as removed, and a signature on it as NO_CARD', async () => {
    const reader = readerOf('EC');
    execFileSync('softhsm2-util', ['--delete-token', '--token', 'EC'], { env, stdio: 'pipe' });
    for (const end = Date.now() + 2000; !events.some((e) => e.type === 'card-removed' && e.reader === reader); ) {
      if (Date.now() > end) throw new Error('no card-removed event');
      await new Promise((r) => setTimeout(r, 20));
    }
    const e = await tokens.sign(reader, Buffer.from('123456'), new Uint8Array(32), 'SHA-256').catch((x: unknown) => x);
    expect(['NO_CARD', 'CARD_REMOVED']).toContain((e as AppFailure).code);
  });
});
