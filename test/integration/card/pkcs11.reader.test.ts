import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CardStatus, SessionState } from '#contract';
import type { CardFile } from '../../../native/softcard/card-file';
import { startStack, type Stack } from '../../support/stack';

/**
 * The PKCS#11 card profile (what Net iD offers on Windows) against SoftHSM2: a token holding the
 * test PKI's person keys and certificates, the workstation configured with the module's path
 * only. Login with the user PIN signs the server's challenge; a wrong PIN says "Fel PIN-kod";
 * the token going away locks the session — the same UI and errors as the PC/SC stack.
 */
const MODULE = '/usr/lib/softhsm/libsofthsm2.so';
const dir = mkdtempSync(path.join(tmpdir(), 'softhsm-'));
let stack: Stack;

const hsm = (...args: string[]) => execFileSync('softhsm2-util', args, { env: process.env, stdio: 'pipe' });
const waitFor = async <T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms: number, what: string): Promise<T> => {
  for (const end = Date.now() + ms; ; ) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

beforeAll(async () => {
  process.env.SOFTHSM2_CONF = path.join(dir, 'softhsm2.conf');
  writeFileSync(process.env.SOFTHSM2_CONF, `directories.tokendir = ${dir}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  hsm('--init-token', '--free', '--label', 'SITHS', '--so-pin', '87654321', '--pin', '123456');
  stack = await startStack('pkcs11', { card: { kind: 'pkcs11', module: MODULE } });
  const card = JSON.parse(readFileSync(await stack.issueCard({ hsaId: 'SE2321000131-P000000000103', givenName: 'Sara', familyName: 'Nyström', pin: '123456' }), 'utf8')) as CardFile;
  // The signature key first, so a profile that ignores key usage would pick the wrong one.
  for (const [id, key, label] of [['02', card.sign!, 'Underskrift'], ['01', card.auth, 'Legitimering']] as const) {
    writeFileSync(path.join(dir, `${id}.pem`), key.privateKeyPem);
    writeFileSync(path.join(dir, `${id}.der`), new X509Certificate(key.certificateChainPem[0]!).raw);
    hsm('--import', path.join(dir, `${id}.pem`), '--token', 'SITHS', '--label', label, '--id', id, '--pin', '123456');
    execFileSync('pkcs11-tool', ['--module', MODULE, '--token-label', 'SITHS', '--login', '--pin', '123456', '--write-object', path.join(dir, `${id}.der`), '--type', 'cert', '--id', id, '--label', label], { env: process.env, stdio: 'pipe' });
  }
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

const dispatch = async <T>(method: string, input: object): Promise<{ ok: true; value: T } | { ok: false; error: { code: string; message: string; details?: unknown } }> =>
  (await stack.workstation.dispatch(method as never, input as never)) as never;

describe('the PKCS#11 card profile with SoftHSM2', () => {
  it('shows the token as a card in a reader, and a wrong PIN says "Fel PIN-kod" with what the module tells', async () => {
    const status = await waitFor(async () => (await dispatch<CardStatus>('card.status', {})), (r) => r.ok && r.value.selectedReader !== null, 5000, 'the token');
    expect(status.ok && status.value.readers.some((r) => r.cardPresent)).toBe(true);
    const wrong = await dispatch<SessionState>('session.login', { pin: '999999' });
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) {
      expect(wrong.error.code).toBe('PIN_WRONG');
      expect(wrong.error.message).toContain('Fel PIN-kod');
    }
    // SoftHSM2 sets CKF_USER_PIN_COUNT_LOW after a wrong PIN but never says how many are left.
    expect(wrong.ok || wrong.error.message).toMatch(/Få försök kvar|Fel PIN-kod\./);
  });

  it('logs in with the user PIN: the token signs the server challenge with the authentication key', async () => {
    const r = await dispatch<SessionState>('session.login', { pin: '123456' });
    expect(r.ok && r.value.state).toBe('active');
    expect(r.ok && r.value.user?.hsaId).toBe('SE2321000131-P000000000103');
  });

  it('locks the session when the token goes away', async () => {
    hsm('--delete-token', '--token', 'SITHS');
    const s = await waitFor(async () => dispatch<SessionState>('session.status', {}), (r) => r.ok && r.value.state === 'locked', 3000, 'the lock');
    expect(s.ok && s.value.lockedReason).toBe('card_removed');
  });
});
