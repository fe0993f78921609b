import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CardStatus, SessionState } from '#contract';
import { CONFIG_OVERRIDE_POLICY_FILE } from '../../../main/config/machine-config';
import { cardAccessOver } from '../../../main/session/card-access';
import { DemoInProcessReader, insertCardFile } from '../../../native/softcard';
import { CardFile } from '../../../native/softcard/card-file';
import { CARD_PROFILES } from '../../../native/softcard/profiles';
import { buildElectron } from '../../../scripts/build-electron';
import { openscConf, pkcs15Tool } from '../../support/opensc';
import { startStack, type Stack } from '../../support/stack';

/**
 * PKCS#11 as it ships: the app's main bundle, built by scripts/build-electron.ts as for
 * electron-builder (an app folder with package.json, dist/ and the runtime node_modules), configured with `card: { type: 'pkcs11',
 * module }`, runs under plain `node` — not vitest, whose module loading once hid that pkcs11js's
 * constants are on `default` under ESM interop (no token was ever seen). It logs in against the
 * real server through two real modules:
 *  - SoftHSM2, holding a test card's keys and certificates;
 *  - OpenSC's opensc-pkcs11.so with our software card in the real pcscd + vpcd reader, as a card
 *    with a PIV applet (profile piv-applet), so OpenSC's PIV driver does the APDUs and signs.
 * Each: a wrong PIN says "Fel PIN-kod" with what the module tells of the tries left, the right PIN
 * logs in, and the token going away locks the session.
 */
const SOFTHSM = '/usr/lib/softhsm/libsofthsm2.so';
const OPENSC = '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so';
const HSA = 'SE2321000131-P000000000103';

const projectRoot = path.resolve(import.meta.dirname, '..', '..', '..');
let stack: Stack;
let harness: string;
let work: string;
let appDir: string;
let resources: string;
const cleanup: string[] = [];

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'omsorg-p11-'));
  // The app folder as electron-builder lays it out: package.json ("main"), the bundles, the runtime packages.
  appDir = path.join(work, 'app');
  mkdirSync(appDir);
  await buildElectron(appDir);
  copyFileSync(path.join(projectRoot, 'package.json'), path.join(appDir, 'package.json'));
  symlinkSync(path.join(projectRoot, 'node_modules'), path.join(appDir, 'node_modules'));
  // Electron's resources folder, with the machine-wide policy that lets OMSORG_CONFIG name the test's configuration file.
  resources = path.join(work, 'resources');
  mkdirSync(resources);
  writeFileSync(path.join(resources, CONFIG_OVERRIDE_POLICY_FILE), '');
  harness = path.join(work, 'harness.cjs');
  await build({
    entryPoints: [path.join(import.meta.dirname, 'pkcs11-main.child.ts')],
    outfile: harness,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    logLevel: 'warning',
  });
  stack = await startStack('pkcs11-bundle', { card: cardAccessOver(new DemoInProcessReader('Stackens läsare')) });
}, 180_000);
afterAll(async () => {
  await stack?.stop();
  for (const d of [...cleanup, work]) if (d) rmSync(d, { recursive: true, force: true });
});

type Reply<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string; details?: Record<string, unknown> } };

/** The packaged main bundle in a plain `node` child, with the renderer's calls over IPC. */
class PackagedMain {
  private next = 1;
  private readonly waiting = new Map<number, (r: Reply<unknown>) => void>();
  private constructor(readonly child: ChildProcess) {
    child.on('message', (m: { id: number } & Reply<unknown>) => {
      this.waiting.get(m.id)?.(m);
      this.waiting.delete(m.id);
    });
  }

  static async start(module: string, env: Record<string, string>): Promise<PackagedMain> {
    const userData = mkdtempSync(path.join(tmpdir(), 'omsorg-userdata-'));
    cleanup.push(userData);
    const config = path.join(userData, 'config.json');
    writeFileSync(config, JSON.stringify({ serverUrl: stack.serverUrl, idleTimeoutMinutes: 15, card: { type: 'pkcs11', module } }));
    const { NODE_OPTIONS: _drop, ...base } = process.env;
    const child = fork(harness, [appDir, userData], {
      execPath: process.execPath,
      execArgv: [],
      env: { ...base, ...env, OMSORG_CONFIG: config, RESOURCES_PATH: resources },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const main = new PackagedMain(child);
    await new Promise<void>((resolve, reject) => {
      main.waiting.set(0, () => resolve());
      child.once('exit', (code) => reject(new Error(`the bundle exited with ${code}`)));
    });
    // The shell creates its window after `ready`; card.status answers once the workstation is up.
    await main.until<CardStatus>('card.status', {}, (r) => r.ok, 20_000);
    return main;
  }

  call<T>(method: string, input: object = {}): Promise<Reply<T>> {
    const id = this.next++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve as (r: Reply<unknown>) => void);
      this.child.send({ id, method, input });
    });
  }

  async until<T>(method: string, input: object, ok: (r: Reply<T>) => boolean, ms: number): Promise<Reply<T>> {
    for (const end = Date.now() + ms; ; ) {
      const r = await this.call<T>(method, input);
      if (ok(r)) return r;
      if (Date.now() > end) throw new Error(`timed out on ${method}: ${JSON.stringify(r)}`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    await this.call('$quit').catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    this.child.kill();
  }
}

/** Wrong PIN (tries left as far as the module tells), then the right PIN: the session is active. */
async function wrongThenRight(main: PackagedMain): Promise<{ wrong: Reply<SessionState> }> {
  const status = await main.until<CardStatus>('card.status', {}, (r) => r.ok && r.value.selectedReader !== null, 10_000);
  expect(status.ok && status.value.readers.some((r) => r.cardPresent)).toBe(true);
  const wrong = await main.call<SessionState>('session.login', { pin: '999999' });
  expect(wrong.ok).toBe(false);
  if (!wrong.ok) {
    expect(wrong.error.code).toBe('PIN_WRONG');
    expect(wrong.error.message).toContain('Fel PIN-kod');
  }
  const right = await main.call<SessionState>('session.login', { pin: '123456' });
  expect(right.ok ? right.value.state : right.error).toBe('active');
  expect(right.ok && right.value.user?.hsaId).toBe(HSA);
  return { wrong };
}

const locked = (main: PackagedMain) =>
  main.until<SessionState>('session.status', {}, (r) => r.ok && r.value.state === 'locked', 5_000).then((r) => r.ok && r.value.lockedReason);

describe('the packaged main bundle under plain node, card through PKCS#11', () => {
  it('SoftHSM2: wrong PIN says "Fel PIN-kod. Få försök kvar", the right PIN logs in, the token deleted locks the session', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'softhsm-bundle-'));
    cleanup.push(dir);
    const env = { SOFTHSM2_CONF: path.join(dir, 'softhsm2.conf') };
    writeFileSync(env.SOFTHSM2_CONF, `directories.tokendir = ${dir}\nobjectstore.backend = file\nlog.level = ERROR\n`);
    const hsm = (...args: string[]) => execFileSync('softhsm2-util', args, { env: { ...process.env, ...env }, stdio: 'pipe' });
    hsm('--init-token', '--free', '--label', 'SITHS', '--so-pin', '87654321', '--pin', '123456');
    const card = JSON.parse(readFileSync(await stack.issueCard({ hsaId: HSA, givenName: 'Sara', familyName: 'Nyström', pin: '123456' }), 'utf8')) as CardFile;
    for (const [id, key] of [['02', card.sign!], ['01', card.auth]] as const) {
      writeFileSync(path.join(dir, `${id}.pem`), key.privateKeyPem);
      writeFileSync(path.join(dir, `${id}.der`), new X509Certificate(key.certificateChainPem[0]!).raw);
      hsm('--import', path.join(dir, `${id}.pem`), '--token', 'SITHS', '--label', `k${id}`, '--id', id, '--pin', '123456');
      execFileSync('pkcs11-tool', ['--module', SOFTHSM, '--token-label', 'SITHS', '--login', '--pin', '123456', '--write-object', path.join(dir, `${id}.der`), '--type', 'cert', '--id', id], {
        env: { ...process.env, ...env },
        stdio: 'pipe',
      });
    }
    const main = await PackagedMain.start(SOFTHSM, env);
    try {
      const { wrong } = await wrongThenRight(main);
      // SoftHSM2 sets CKF_USER_PIN_COUNT_LOW after a wrong PIN and never says how many are left.
      expect(!wrong.ok && wrong.error.message).toBe('Fel PIN-kod. Få försök kvar innan kortet spärras.');
      hsm('--delete-token', '--token', 'SITHS');
      expect(await locked(main)).toBe('card_removed');
    } finally {
      await main.stop();
    }
  });

  it("OpenSC's opensc-pkcs11.so with the software card (PIV applet) in vpcd: OpenSC reads it, wrong PINs say the tries left, the right PIN logs in, the pulled card locks the session", async () => {
    const cardFile = await stack.issueCard({ hsaId: HSA, givenName: 'Sara', familyName: 'Nyström', pin: '123456' });
    // The card as OpenSC's PIV driver knows it (profile piv-applet): with only PKCS#15, OpenSC's default driver cannot sign.
    const issued = JSON.parse(readFileSync(cardFile, 'utf8')) as CardFile;
    const piv = CARD_PROFILES['piv-applet'];
    writeFileSync(cardFile, JSON.stringify(CardFile.parse({ ...issued, atrHex: piv.atrHex, behaviour: { ...issued.behaviour, ...piv.behaviour } })));
    const card = await insertCardFile(cardFile, { port: 35963 });
    let main: PackagedMain | undefined;
    try {
      const conf = openscConf();
      main = await PackagedMain.start(OPENSC, { OPENSC_CONF: conf });
      const status = await main.until<CardStatus>('card.status', {}, (r) => r.ok && r.value.selectedReader !== null, 10_000);
      expect(status.ok && status.value.selectedReader).toMatch(/^Virtual PCD 00 00/);
      // OpenSC's own tool reads the card too, with its PIV driver.
      const read = await pkcs15Tool(['--list-certificates', '--list-pins'], { conf });
      expect(read.code, read.stdout + read.stderr).toBe(0);
      expect(read.objects.some((o) => o.label === 'Certificate for PIV Authentication')).toBe(true);
      // OpenSC reads the PIV retry counter (VERIFY without data → 63Cx) but gives PKCS#11 no maximum: after the first
      // wrong PIN it cannot say "few left"; after the second, CKF_USER_PIN_FINAL_TRY.
      const first = await main.call<SessionState>('session.login', { pin: '999999' });
      expect(!first.ok && [first.error.code, first.error.message]).toEqual(['PIN_WRONG', 'Fel PIN-kod.']);
      expect((JSON.parse(readFileSync(cardFile, 'utf8')) as CardFile).pin.triesLeft).toBe(2);
      const second = await main.call<SessionState>('session.login', { pin: '999999' });
      expect(!second.ok && [second.error.code, second.error.message]).toEqual(['PIN_WRONG', 'Fel PIN-kod. 1 försök kvar innan kortet spärras.']);
      // The right PIN: OpenSC signs with GENERAL AUTHENTICATE (key 9A), the server verifies, the session is active.
      const right = await main.call<SessionState>('session.login', { pin: '123456' });
      expect(right.ok ? right.value.state : right.error).toBe('active');
      expect(right.ok && right.value.user?.hsaId).toBe(HSA);
      expect((JSON.parse(readFileSync(cardFile, 'utf8')) as CardFile).pin.triesLeft).toBe(3);
      // Pulled: the token leaves the slot, the session locks.
      await card.close();
      expect(await locked(main)).toBe('card_removed');
    } finally {
      await card.close();
      await main?.stop();
    }
  });
});
