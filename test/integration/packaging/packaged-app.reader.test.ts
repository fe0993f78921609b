import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listPackage, statFile } from '@electron/asar';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ipcChannel, type ClientRecord } from '#contract';
import type { LocalJournalEntry } from '#contract';
import { CONFIG_OVERRIDE_POLICY_FILE } from '../../../main/config/machine-config';
import { APP_ENTRY_URL } from '../../../main/electron/app-protocol';
import { signedPublishers } from '../../../main/electron/updater';
import { cardAccessOver } from '../../../main/session/card-access';
import { DemoInProcessReader, insertCardFile } from '../../../native/softcard';
import type { PackageResult } from '../../../scripts/package';
import { buildPackagedApp, extractPackagedApp, startPackagedMainWith, until, type RunningMain, type StartEnvironment } from '../../support/packaged-app';
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
    expect(files).toContain('/dist/main/pcsc-host.cjs');
    expect(files).toContain('/dist/renderer/index.html');
    // DEMO ONLY: the software card is in the demo build only (scripts/package.ts --demo).
    expect(files).not.toContain('/dist/main/softcard-demo.cjs');
  });

  it('app.asar is under 12 MiB (no browser builds, Yarn binary, install-time helpers or demo card)', () => {
    // What is packed (not the unpacked natives beside it), largest first, to say what grew.
    const packed = files
      .map((f) => ({ f, st: statFile(built.asar, f.slice(1), false) as { size?: number; unpacked?: boolean; files?: unknown } }))
      .filter(({ st }) => st.size !== undefined && !st.unpacked && !st.files)
      .sort((a, b) => b.st.size! - a.st.size!);
    const top = packed.slice(0, 8).map(({ f, st }) => `${f} ${(st.size! / 1048576).toFixed(2)} MiB`);
    const size = statSync(built.asar).size;
    expect(size, `app.asar ${(size / 1048576).toFixed(2)} MiB; largest: ${top.join(', ')}`).toBeLessThan(12 * 1024 * 1024);
    expect(files.filter((f) => /\/pdfkit\/(\.yarn|tools)\/|pdfkit\.(standalone|browser)|\/prebuild-install\/|\/nan\/|fontkit\/dist\/browser/.test(f))).toEqual([]);
  });

  it('holds the PDFs’ font (DejaVu Sans with its licence), found from the main bundle as the app resolves it', () => {
    for (const f of ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSans-Oblique.ttf']) expect(files).toContain(`/node_modules/dejavu-fonts-ttf/ttf/${f}`);
    expect(files).toContain('/node_modules/dejavu-fonts-ttf/LICENSE');
    expect(files.filter((f) => /dejavu-fonts-ttf\/ttf\/DejaVu(Serif|SansMono)/.test(f))).toEqual([]);
    const appDir = extractPackagedApp(built.asar);
    try {
      const resolved = createRequire(path.join(appDir, 'dist', 'main', 'electron', 'index.cjs')).resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
      expect(resolved.startsWith(appDir)).toBe(true);
    } finally {
      rmSync(appDir, { recursive: true, force: true });
    }
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
    expect(natives).toEqual(
      expect.arrayContaining([
        '/node_modules/pcsclite/build/Release/pcsclite.node',
        '/node_modules/better-sqlite3-multiple-ciphers/build/Release/better_sqlite3.node',
        // The optional PKCS#11 binding, loaded only when the configuration's card profile is pkcs11.
        '/node_modules/pkcs11js/build/Release/pkcs11.node',
      ]),
    );
    const unpacked = path.join(path.dirname(built.asar), 'app.asar.unpacked');
    for (const f of natives) expect(existsSync(path.join(unpacked, f)), f).toBe(true);
  });

  it('the packaged pkcs11js loads from the app and talks to a real PKCS#11 module (SoftHSM2)', () => {
    const appDir = extractPackagedApp(built.asar);
    const hsm = mkdtempSync(path.join(tmpdir(), 'softhsm-packaged-'));
    writeFileSync(path.join(hsm, 'softhsm2.conf'), `directories.tokendir = ${hsm}\nobjectstore.backend = file\nlog.level = ERROR\n`);
    const saved = process.env.SOFTHSM2_CONF;
    process.env.SOFTHSM2_CONF = path.join(hsm, 'softhsm2.conf');
    try {
      const resolved = createRequire(path.join(appDir, 'package.json')).resolve('pkcs11js');
      expect(resolved.startsWith(appDir)).toBe(true);
      const { PKCS11 } = createRequire(path.join(appDir, 'package.json'))('pkcs11js') as typeof import('pkcs11js');
      const p11 = new PKCS11();
      p11.load('/usr/lib/softhsm/libsofthsm2.so');
      p11.C_Initialize();
      try {
        expect(p11.C_GetInfo().manufacturerID.trim()).toBe('SoftHSM');
      } finally {
        p11.C_Finalize();
        p11.close();
      }
    } finally {
      if (saved === undefined) delete process.env.SOFTHSM2_CONF;
      else process.env.SOFTHSM2_CONF = saved;
      rmSync(appDir, { recursive: true, force: true });
      rmSync(hsm, { recursive: true, force: true });
    }
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
  let resources: string;
  let running: RunningMain | null = null;
  const others: { dir: string; running: RunningMain | null }[] = [];
  const configFile = () => path.join(userData, 'config.json');
  const loadedOrFailed = (fake: RunningMain['fake']) => fake.calls.loadURL.length > 0 || fake.errorBoxes.length > 0;

  /** A second bundle instance in the same process needs a fresh copy of the app directory. */
  async function startAnother(start: StartEnvironment, asar = built.asar): Promise<RunningMain> {
    const other = { dir: extractPackagedApp(asar), running: null as RunningMain | null };
    others.push(other);
    other.running = await startPackagedMainWith(other.dir, { paths: { userData: mkdtempSync(path.join(tmpdir(), 'omsorg-userdata-')) } }, start, loadedOrFailed);
    return other.running;
  }

  /** Calls the bridge's IPC as the renderer would. */
  const bridge =
    (r: RunningMain) =>
    async <T>(method: string, input: unknown = {}): Promise<T> => {
      const win = r.fake.windows[0]!;
      const res = (await r.fake.electron.ipcMain.invoke(ipcChannel(method), win.webContents.ipcEvent(), input)) as { ok: boolean; value?: T; error?: { code: string; message: string } };
      if (!res.ok) throw new Error(`${method}: ${res.error!.code} ${res.error!.message}`);
      return res.value as T;
    };

  /** Logs in with `pin` once a card is seen, then writes a journal entry and finds it again by its text. */
  async function loginWriteAndRead(r: RunningMain, pin: string, label: string): Promise<void> {
    const call = bridge(r);
    await until(async () => (await call<{ readers: { cardPresent: boolean }[] }>('card.status')).readers.some((x) => x.cardPresent), 10_000);
    expect((await call<{ state: string }>('session.login', { pin })).state).toBe('active');
    let clients: ClientRecord[] = [];
    await until(async () => (clients = await call<ClientRecord[]>('clients.list', { limit: 500 })).length > 0, 15_000);
    const text = `${label}: besök ${Date.now()}`;
    const written = await call<LocalJournalEntry>('journal.create', { clientId: clients[0]!.id, eventDate: '2026-01-15', text });
    const read = await call<LocalJournalEntry[]>('journal.list', { clientId: clients[0]!.id, search: text });
    expect(read.map((e) => [e.id, e.text])).toEqual([[written.id, text]]);
  }

  const quit = async (r: RunningMain) => {
    r.fake.emitApp('will-quit');
    await until(() => r.fake.calls.quit > 0, 10_000).catch(() => undefined);
    r.unhook();
  };

  beforeAll(async () => {
    // The stack's own workstation uses an in-process reader: the vpcd reader is the packaged app's.
    stack = await startStack('packaged', { card: cardAccessOver(new DemoInProcessReader('Stackens läsare')) });
    appDir = extractPackagedApp(built.asar);
    userData = mkdtempSync(path.join(tmpdir(), 'omsorg-userdata-'));
    // The packaged resources folder, with the machine-wide policy that lets OMSORG_CONFIG name the test's file.
    resources = path.dirname(built.asar);
    writeFileSync(path.join(resources, CONFIG_OVERRIDE_POLICY_FILE), '');
  }, 120_000);
  afterAll(async () => {
    for (const r of [running, ...others.map((o) => o.running)]) if (r) await quit(r);
    await stack?.stop();
    for (const dir of [appDir, userData, ...others.map((o) => o.dir)]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('starts from the machine configuration, logs in with the card in the real reader, writes a journal entry and reads it back from the encrypted store', async () => {
    writeFileSync(configFile(), JSON.stringify({ serverUrl: stack.serverUrl, idleTimeoutMinutes: 15, card: { type: 'pcsc' } }));
    running = await startPackagedMainWith(appDir, { paths: { userData } }, { env: { OMSORG_CONFIG: configFile() }, resourcesPath: resources }, loadedOrFailed);
    const { fake } = running;
    expect(fake.errorBoxes).toEqual([]);
    expect(fake.calls.loadURL).toEqual([APP_ENTRY_URL]);
    const index = await fake.protocolHandlers.get('app')!(new Request(APP_ENTRY_URL));
    expect(index.status).toBe(200);

    const cardFile = await stack.issueCard({ hsaId: 'SE2321000131-P000000000103', givenName: 'Sara', familyName: 'Nyström', pin: '123456' });
    const card = await insertCardFile(cardFile, { port: 35963 });
    try {
      await loginWriteAndRead(running, '123456', 'Paketerad app');
    } finally {
      await card.close();
    }
    // PC/SC ran in the host process the bundle forked (dist/main/pcsc-host.cjs, under plain node):
    // the app's pcsclite addon is loaded there, never in this (the main) process.
    const addon = path.join(appDir, 'node_modules', 'pcsclite');
    expect(readFileSync('/proc/self/maps', 'utf8')).not.toContain(addon);
    const hosts = childrenOf(process.pid).filter((pid) => mapsOf(pid).includes(addon));
    expect(hosts).toHaveLength(1);
    expect(readFileSync(`/proc/${hosts[0]}/cmdline`, 'utf8').split('\0')).toContain(path.join(appDir, 'dist', 'main', 'pcsc-host.cjs'));

    // The entry is in the user's SQLCipher file under userData, encrypted from the first byte.
    const db = readdirSync(userData, { recursive: true, encoding: 'utf8' }).find((f) => f.endsWith('.db'));
    expect(db).toBeDefined();
    const bytes = readFileSync(path.join(userData, db!));
    expect(bytes.subarray(0, 16).toString('latin1')).not.toBe('SQLite format 3\0');
    expect(bytes.includes(Buffer.from('Paketerad app'))).toBe(false);
  });

  it('the production build has no software card: DEMO_CARD (even under the policy) gives a Swedish error window', async () => {
    const cardFile = await stack.issueCard({ hsaId: 'SE2321000131-P000000000104', givenName: 'Pia', familyName: 'Berg', pin: '654321' });
    const prod = await startAnother({ env: { OMSORG_CONFIG: configFile(), DEMO_CARD: cardFile }, resourcesPath: resources });
    expect(prod.fake.errorBoxes.map((b) => b.content).join('\n')).toContain('Demokortet (DEMO_CARD) finns bara i demobygget av appen');
  });

  it('the demo build: with DEMO_CARD it loads the demo bundle from the app and logs in with the card file in the built-in reader, no PC/SC involved', async () => {
    const demoBuild = await buildPackagedApp({ demo: true, skipBuild: true });
    others.push({ dir: path.dirname(demoBuild.appDir), running: null });
    expect(listPackage(demoBuild.asar, { isPack: false }).map((f) => f.split(path.sep).join('/'))).toContain('/dist/main/softcard-demo.cjs');
    const demoResources = path.dirname(demoBuild.asar);
    writeFileSync(path.join(demoResources, CONFIG_OVERRIDE_POLICY_FILE), '');
    const cardFile = await stack.issueCard({ hsaId: 'SE2321000131-P000000000103', givenName: 'Sara', familyName: 'Nyström', pin: '654321' });
    const demo = await startAnother({ env: { OMSORG_CONFIG: configFile(), DEMO_CARD: cardFile }, resourcesPath: demoResources }, demoBuild.asar);
    expect(demo.fake.errorBoxes).toEqual([]);
    const { readers } = await bridge(demo)<{ readers: { name: string; cardPresent: boolean }[] }>('card.status');
    expect(readers).toEqual([expect.objectContaining({ cardPresent: true })]);
    await loginWriteAndRead(demo, '654321', 'Paketerad app med demokort');
  }, 180_000);

  it('without the machine-wide policy file the installed app ignores OMSORG_CONFIG and reads only the machine file', async () => {
    writeFileSync(configFile(), JSON.stringify({ serverUrl: stack.serverUrl }));
    const noPolicy = mkdtempSync(path.join(tmpdir(), 'omsorg-resources-'));
    const other = await startAnother({ env: { OMSORG_CONFIG: configFile() }, resourcesPath: noPolicy });
    rmSync(noPolicy, { recursive: true, force: true });
    // This machine has no /etc/omsorgsportalen/config.json: the error window names that file, not the user's.
    expect(other.fake.errorBoxes[0]!.content).toContain('Inställningsfilen /etc/omsorgsportalen/config.json kan inte användas');
    expect(other.fake.errorBoxes[0]!.content).not.toContain(configFile());
    expect(other.fake.calls.exit).toEqual([1]);
  });

  it('without a usable configuration file the packaged app says in an error window which file and what is wrong, and exits', async () => {
    const bad = path.join(userData, 'bad.json');
    writeFileSync(bad, JSON.stringify({ serverUrl: 'http://omsorg.kommun.example' }));
    const other = await startAnother({ env: { OMSORG_CONFIG: bad }, resourcesPath: resources });
    expect(other.fake.errorBoxes[0]!.content).toContain(`Inställningsfilen ${bad} kan inte användas`);
    expect(other.fake.errorBoxes[0]!.content).toContain('serverUrl måste börja med https://');
    expect(other.fake.calls.exit).toEqual([1]);
  });
});

/** Process ids whose parent is `ppid` (Linux /proc). */
function childrenOf(ppid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return Number(readFileSync(`/proc/${d}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]) === ppid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

const mapsOf = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/maps`, 'utf8');
  } catch {
    return '';
  }
};
