import { listPackage } from '@electron/asar';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ipcChannel, type ClientRecord } from '../../../contract';
import { APP_ENTRY_URL } from '../../../main/electron/app-protocol';
import { signedPublishers } from '../../../main/electron/updater';
import { cardAccessOver } from '../../../main/session/card-access';
import { DemoInProcessReader, insertCardFile } from '../../../native/softcard';
import type { PackageResult } from '../../../scripts/package';
import type { LocalJournalEntry } from '../../../main/store/types';
import { buildPackagedApp, extractPackagedApp, startPackagedMain, type RunningMain } from '../../support/packaged-app';
import { startStack, type Stack } from '../../support/stack';

/**
 * The workstation as IT installs it: `npm run package` builds the app directory (on the stand-in
 * Electron here, docs/windows.md), and its main bundle — from the asar, with the natives from
 * app.asar.unpacked — runs in Node with the fake `electron` module. Through it, a software card in
 * the real pcscd + vpcd reader logs in against the real server, and a journal entry is written and
 * read back from the encrypted store. The bundle must find the PC/SC addon itself: with
 * `import.meta.url` empty in CommonJS (scripts/build-electron.ts) the login cannot see the card.
 */
const projectRoot = path.resolve(import.meta.dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
let built: PackageResult;
let files: string[];

beforeAll(async () => {
  built = await buildPackagedApp();
  files = listPackage(built.asar, { isPack: false }).map((f) => f.split(path.sep).join('/'));
}, 120_000);
afterAll(() => rmSync(path.dirname(built.appDir), { recursive: true, force: true }));

describe('the packaged app directory', () => {
  it('has the executable and resources/app.asar with the main entry package.json names', () => {
    expect(existsSync(built.executable)).toBe(true);
    expect(files).toContain('/package.json');
    expect(files).toContain('/dist/main/electron/index.cjs');
    expect(files).toContain('/dist/preload/index.cjs');
    expect(files).toContain('/dist/main/store/worker.cjs');
    expect(files).toContain('/dist/renderer/index.html');
  });

  it('holds no sources, tests, source maps, docs or development data', () => {
    const banned = /^\/(main|native|contract|preload|renderer|server|tools|test|bench|scripts|docs|\.data|\.cards|node_modules\/\.bin)\/|\.(ts|tsx|map)$/;
    expect(files.filter((f) => banned.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it('holds only the runtime packages of package.json and what they need: no server, tool, renderer or dev packages', () => {
    const packages = new Set(files.map((f) => /^\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f)?.[1]).filter((p): p is string => !!p));
    for (const p of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) expect(packages, p).toContain(p);
    for (const p of Object.keys(pkg.devDependencies!)) expect(packages, `${p} is a devDependency`).not.toContain(p);
    for (const p of ['fastify', 'pg', '@electric-sql/pglite', 'pino', 'ws', 'tsx', 'fast-check', 'react', 'zod', 'vite', 'vitest', 'electron', 'electron-builder']) {
      expect(packages, p).not.toContain(p);
    }
  });

  it('unpacks every native module (.node) beside the asar, where Electron loads it from', () => {
    const natives = files.filter((f) => f.endsWith('.node'));
    expect(natives).toEqual(expect.arrayContaining(['/node_modules/pcsclite/build/Release/pcsclite.node', '/node_modules/better-sqlite3-multiple-ciphers/build/Release/better_sqlite3.node']));
    const unpacked = path.join(path.dirname(built.asar), 'app.asar.unpacked');
    for (const f of natives) expect(existsSync(path.join(unpacked, f)), f).toBe(true);
  });

  it('writes app-update.yml for electron-updater; unsigned, it names no publisher, so this build does not update itself', () => {
    const resources = path.dirname(built.asar);
    expect(readFileSync(path.join(resources, 'app-update.yml'), 'utf8')).toMatch(/^provider: generic$/m);
    expect(signedPublishers(resources)).toEqual([]);
  });

  it('has the Electron fuses flipped in the executable, read back from the built binary', async () => {
    const wire = await getCurrentFuseWire(built.executable);
    const on = 0x31;
    const off = 0x30;
    expect({
      runAsNode: wire[FuseV1Options.RunAsNode],
      cookieEncryption: wire[FuseV1Options.EnableCookieEncryption],
      nodeOptions: wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable],
      inspect: wire[FuseV1Options.EnableNodeCliInspectArguments],
      asarIntegrity: wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation],
      onlyFromAsar: wire[FuseV1Options.OnlyLoadAppFromAsar],
      fileProtocolPrivileges: wire[FuseV1Options.GrantFileProtocolExtraPrivileges],
    }).toEqual({ runAsNode: off, cookieEncryption: on, nodeOptions: off, inspect: off, asarIntegrity: on, onlyFromAsar: on, fileProtocolPrivileges: off });
  });
});

describe('the packaged main bundle, started with the fake electron', () => {
  let stack: Stack;
  let appDir: string;
  let userData: string;
  let running: RunningMain | null = null;
  const configFile = () => path.join(userData, 'config.json');

  beforeAll(async () => {
    // The stack's own workstation uses an in-process reader: the vpcd reader is the packaged app's.
    stack = await startStack('packaged', { card: cardAccessOver(new DemoInProcessReader('Stackens läsare')) });
    appDir = extractPackagedApp(built.asar);
    userData = mkdtempSync(path.join(tmpdir(), 'omsorg-userdata-'));
  }, 120_000);
  afterAll(async () => {
    if (running) {
      running.fake.emitApp('will-quit');
      await until(() => running!.fake.calls.quit > 0, 10_000).catch(() => undefined);
      running.unhook();
    }
    await stack?.stop();
    rmSync(appDir, { recursive: true, force: true });
    rmSync(userData, { recursive: true, force: true });
  });

  it('starts from the machine configuration, logs in with the card in the real reader, writes a journal entry and reads it back from the encrypted store', async () => {
    writeFileSync(configFile(), JSON.stringify({ serverUrl: stack.serverUrl, idleTimeoutMinutes: 15, card: { type: 'pcsc' } }));
    const saved = process.env.OMSORG_CONFIG;
    process.env.OMSORG_CONFIG = configFile();
    try {
      running = startPackagedMain(appDir, { paths: { userData } });
      await until(() => running!.fake.calls.loadURL.length > 0 || running!.fake.errorBoxes.length > 0, 20_000);
    } finally {
      if (saved === undefined) delete process.env.OMSORG_CONFIG;
      else process.env.OMSORG_CONFIG = saved;
    }
    const { fake } = running;
    expect(fake.errorBoxes).toEqual([]);
    expect(fake.calls.loadURL).toEqual([APP_ENTRY_URL]);
    const index = await fake.protocolHandlers.get('app')!(new Request(APP_ENTRY_URL));
    expect(index.status).toBe(200);

    const win = fake.windows[0]!;
    const call = async <T>(method: string, input: unknown = {}): Promise<T> => {
      const r = (await fake.electron.ipcMain.invoke(ipcChannel(method), win.webContents.ipcEvent(), input)) as { ok: boolean; value?: T; error?: { code: string; message: string } };
      if (!r.ok) throw new Error(`${method}: ${r.error!.code} ${r.error!.message}`);
      return r.value as T;
    };

    const cardFile = await stack.issueCard({ hsaId: 'SE2321000131-P000000000103', givenName: 'Sara', familyName: 'Nyström', pin: '123456' });
    const card = await insertCardFile(cardFile, { port: 35963 });
    try {
      await until(async () => (await call<{ readers: { cardPresent: boolean }[] }>('card.status')).readers.some((r) => r.cardPresent), 10_000);
      expect((await call<{ state: string }>('session.login', { pin: '123456' })).state).toBe('active');
      let clients: ClientRecord[] = [];
      await until(async () => (clients = await call<ClientRecord[]>('clients.list', { limit: 500 })).length > 0, 15_000);
      const client = clients[0]!;
      const text = `Paketerad app: besök ${Date.now()}`;
      const written = await call<LocalJournalEntry>('journal.create', { clientId: client.id, eventDate: '2026-01-15', text });
      const read = await call<LocalJournalEntry[]>('journal.list', { clientId: client.id, search: text });
      expect(read.map((e) => [e.id, e.text])).toEqual([[written.id, text]]);
    } finally {
      await card.close();
    }

    // The entry is in the user's SQLCipher file under userData, encrypted from the first byte.
    const db = readdirSync(userData, { recursive: true, encoding: 'utf8' }).find((f) => f.endsWith('.db'));
    expect(db).toBeDefined();
    const bytes = readFileSync(path.join(userData, db!));
    expect(bytes.subarray(0, 16).toString('latin1')).not.toBe('SQLite format 3\0');
    expect(bytes.includes(Buffer.from('Paketerad app'))).toBe(false);
  });

  it('without a usable configuration file the packaged app says in an error window which file and what is wrong, and exits', async () => {
    const bad = path.join(userData, 'bad.json');
    writeFileSync(bad, JSON.stringify({ serverUrl: 'http://omsorg.kommun.example' }));
    const saved = process.env.OMSORG_CONFIG;
    process.env.OMSORG_CONFIG = bad;
    // A second bundle instance in the same process: a fresh copy of the app directory.
    const second = extractPackagedApp(built.asar);
    let other: RunningMain | null = null;
    try {
      other = startPackagedMain(second, { paths: { userData: mkdtempSync(path.join(tmpdir(), 'omsorg-userdata-')) } });
      await until(() => other!.fake.errorBoxes.length > 0, 10_000);
    } finally {
      if (saved === undefined) delete process.env.OMSORG_CONFIG;
      else process.env.OMSORG_CONFIG = saved;
      other?.unhook();
    }
    expect(other.fake.errorBoxes[0]!.content).toContain(`Inställningsfilen ${bad} kan inte användas`);
    expect(other.fake.errorBoxes[0]!.content).toContain('serverUrl måste börja med https://');
    expect(other.fake.calls.exit).toEqual([1]);
    rmSync(second, { recursive: true, force: true });
  });
});

async function until(pred: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const t0 = Date.now();
  let last: unknown;
  for (;;) {
    try {
      if (await pred()) return;
    } catch (e) {
      last = e; // not yet
    }
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${pred.toString().slice(0, 120)}${last ? ` (last: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
