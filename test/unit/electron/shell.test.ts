import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { AppFailure, IPC_EVENT_CHANNEL, ipcChannel, methodNames, type AccessEventInput } from '#contract';
import { APP_CSP } from '../../../main/electron/csp';
import { SafeStorageKeyVault } from '../../../main/electron/key-vault';
import { startShell, STARTUP_FAILED_TITLE, type Shell, type ShellOptions, type ShellWorkstationOptions } from '../../../main/electron/shell';
import { KeyVaultUnavailableError } from '../../../main/key-vault';
import { openLocalStore } from '../../../main/store';
import { createFakeElectron, type FakeElectron } from '../../support/fake-electron';
import { fakeWorkstation } from './workstation-fake';

let fake: FakeElectron;
let ws: ReturnType<typeof fakeWorkstation>;
let createWorkstation: ReturnType<typeof vi.fn<ShellOptions['createWorkstation']>>;

async function start(options: Parameters<typeof createFakeElectron>[0] = {}, shellOptions: Partial<ShellOptions> = {}): Promise<Shell> {
  fake = createFakeElectron(options);
  ws = fakeWorkstation();
  createWorkstation = vi.fn<ShellOptions['createWorkstation']>(async () => ws.workstation);
  const shell = startShell({ electron: fake.electron, createWorkstation, settings: () => ({ serverUrl: 'http://127.0.0.1:4010', card: { type: 'pcsc' } }), appRoot: '/fake/app', ...shellOptions });
  await shell.ready;
  return shell;
}

/** What the shell passed to createWorkstation. */
const workstationOptions = (): ShellWorkstationOptions => {
  const o = createWorkstation.mock.calls[0]?.[0];
  if (!o) throw new Error('createWorkstation was not called');
  return o;
};

/** A temporary data folder, removed after the test. */
function dataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'shell-data-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Every file under `dir`, relative, sorted (an absent dir has none). */
const filesUnder = (dir: string): string[] =>
  existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.relative(dir, path.join(d.parentPath, d.name))).sort() : [];

const mainWindow = () => {
  const w = fake.windows[0];
  if (!w) throw new Error('no window');
  return w;
};

describe('the Electron shell', () => {
  beforeEach(async () => {
    await start();
  });

  it('opens one window: sandboxed, isolated, no Node, web security on, devtools only unpackaged, our preload', () => {
    expect(fake.windows).toHaveLength(1);
    const prefs = mainWindow().options.webPreferences!;
    expect(prefs).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      devTools: true,
      preload: '/fake/app/dist/preload/index.cjs',
    });
    expect(fake.calls.enableSandbox).toBe(1);
    expect(fake.calls.loadURL).toEqual(['app://workstation/index.html']);
  });

  it('has no devtools when packaged', async () => {
    await start({ isPackaged: true });
    expect(mainWindow().options.webPreferences!.devTools).toBe(false);
  });

  it('registers app:// as a standard, secure scheme and serves it', () => {
    expect(fake.privilegedSchemes).toEqual([{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
    expect(fake.protocolHandlers.has('app')).toBe(true);
  });

  it('starts the services for the electron host with the user data directory, a safeStorage vault and the bundled store and pull workers', () => {
    expect(createWorkstation).toHaveBeenCalledWith({
      host: 'electron',
      serverUrl: 'http://127.0.0.1:4010',
      card: { kind: 'pcsc' },
      dataDir: '/fake/userData',
      vault: expect.any(SafeStorageKeyVault),
      storeWorker: '/fake/app/dist/main/store/worker.cjs',
      pullWorker: '/fake/app/dist/main/sync/pull-worker.cjs',
      prestartWorkers: 'when-shown',
      logLine: expect.any(Function),
      lastCrashAt: expect.any(Function),
      openExternal: expect.any(Function),
    });
  });

  it("the identity provider's login opens in the system browser: the services' openExternal is Electron's shell.openExternal", async () => {
    const { openExternal } = workstationOptions();
    await openExternal('https://idp.inera.se/oidc/auth?client_id=omsorg');
    expect(fake.calls.openExternal).toEqual(['https://idp.inera.se/oidc/auth?client_id=omsorg']);
  });

  it("the vault it passes wraps with Electron's safeStorage: blobs are safeStorage's, and go when safeStorage goes", async () => {
    const { vault } = workstationOptions();
    const key = randomBytes(32);
    const blob = await vault.wrap(key);
    expect(blob.subarray(0, 3).toString()).toBe('v10'); // made by the fake safeStorage, not by a key file
    expect(blob.includes(key)).toBe(false);
    const { result } = await fake.electron.safeStorage.decryptStringAsync(blob);
    expect(Buffer.from(result, 'base64').equals(key)).toBe(true);
    expect((await vault.unwrap(blob)).equals(key)).toBe(true);
    fake.electron.safeStorage.available = false;
    await expect(vault.unwrap(blob)).rejects.toThrow(KeyVaultUnavailableError);
  });

  it('a real encrypted store opens, closes and reopens with the key wrapped by that vault', async () => {
    const dir = dataDir();
    const { vault } = workstationOptions();
    const hsaId = 'SE2321000131-P000000000103';
    const first = await openLocalStore({ dataDir: dir, hsaId, vault });
    const read: AccessEventInput = { action: 'read', clientId: randomUUID(), recordType: 'journal', at: '2026-01-02T08:00:00.000Z' };
    await first.enqueueAccess([read]);
    await first.close();
    const [keyFile] = filesUnder(dir).filter((f) => f.endsWith('.db.key'));
    expect(keyFile).toBeDefined();
    const again = await openLocalStore({ dataDir: dir, hsaId, vault });
    expect((await again.accessOutbox(10)).map((e) => e.event)).toEqual([read]);
    await again.close();
  });

  it('puts its CSP on every response of the session, replacing any other', () => {
    let headers: Record<string, string | string[]> | undefined;
    fake.session.headersReceived!({ responseHeaders: { 'content-security-policy': ["default-src *"], 'X-Other': ['1'] } }, (r) => {
      headers = r.responseHeaders;
    });
    expect(headers).toEqual({ 'Content-Security-Policy': [APP_CSP], 'X-Other': ['1'] });
  });

  it('denies every permission request and check', () => {
    const granted: boolean[] = [];
    for (const p of ['media', 'geolocation', 'notifications', 'openExternal']) {
      fake.session.permissionRequestHandler!({}, p, (g) => granted.push(g));
      expect(fake.session.permissionCheckHandler!({}, p)).toBe(false);
    }
    expect(granted).toEqual([false, false, false, false]);
  });

  describe('navigation and new windows', () => {
    it('blocks navigation to https://evil.example and does not open it', () => {
      const ev = mainWindow().webContents.navigate('will-navigate', 'https://evil.example/');
      expect(ev.defaultPrevented).toBe(true);
      expect(fake.calls.openExternal).toEqual([]);
    });

    it('allows navigation within app://workstation', () => {
      expect(mainWindow().webContents.navigate('will-navigate', 'app://workstation/index.html#/inbox').defaultPrevented).toBe(false);
    });

    it('blocks other app:// hosts, file:// and redirects away', () => {
      const wc = mainWindow().webContents;
      expect(wc.navigate('will-navigate', 'app://other/index.html').defaultPrevented).toBe(true);
      expect(wc.navigate('will-navigate', 'file:///etc/passwd').defaultPrevented).toBe(true);
      expect(wc.navigate('will-redirect', 'https://www.socialstyrelsen.se/').defaultPrevented).toBe(true);
      expect(fake.calls.openExternal).toEqual([]);
    });

    it('hands an allow-listed link to the system browser instead of navigating', () => {
      const ev = mainWindow().webContents.navigate('will-navigate', 'https://www.socialstyrelsen.se/kunskapsstod/');
      expect(ev.defaultPrevented).toBe(true);
      expect(fake.calls.openExternal).toEqual(['https://www.socialstyrelsen.se/kunskapsstod/']);
    });

    it('denies window.open, opening only allow-listed https links externally', () => {
      const wc = mainWindow().webContents;
      expect(wc.openWindow('https://evil.example/')).toEqual({ action: 'deny' });
      expect(wc.openWindow('app://workstation/index.html')).toEqual({ action: 'deny' });
      expect(wc.openWindow('https://inera.se/')).toEqual({ action: 'deny' });
      expect(fake.calls.openExternal).toEqual(['https://inera.se/']);
    });

    it('refuses <webview>', () => {
      expect(mainWindow().webContents.attachWebview().defaultPrevented).toBe(true);
    });

    it('guards every webContents created later, not only the main window', async () => {
      const { FakeWebContents } = await import('../../support/fake-electron');
      const other = new FakeWebContents();
      fake.emitApp('web-contents-created', other);
      expect(other.navigate('will-navigate', 'https://evil.example/').defaultPrevented).toBe(true);
      expect(other.openWindow('https://evil.example/')).toEqual({ action: 'deny' });
      expect(other.attachWebview().defaultPrevented).toBe(true);
    });
  });

  describe('IPC', () => {
    it('has one handler per contract method and nothing else', () => {
      expect([...fake.ipcHandlers.keys()].sort()).toEqual(methodNames().map(ipcChannel).sort());
    });

    it("passes a call from our window's app:// page to dispatch and returns its result", async () => {
      const wc = mainWindow().webContents;
      const reply = await fake.electron.ipcMain.invoke(ipcChannel('units.list'), wc.ipcEvent('app://workstation/index.html'), {});
      expect(ws.dispatch).toHaveBeenCalledWith('units.list', {});
      expect(reply).toEqual({ ok: true, value: { method: 'units.list', input: {} } });
    });

    it('refuses a call from another webContents with FORBIDDEN, never reaching dispatch', async () => {
      const { FakeWebContents } = await import('../../support/fake-electron');
      const stranger = new FakeWebContents();
      const reply = await fake.electron.ipcMain.invoke(ipcChannel('units.list'), stranger.ipcEvent('app://workstation/index.html'), {});
      expect(reply).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(ws.dispatch).not.toHaveBeenCalled();
    });

    it('refuses a call from our window when the frame is not on app://workstation', async () => {
      const wc = mainWindow().webContents;
      for (const url of ['https://evil.example/', 'app://other/index.html', 'file:///index.html', 'about:blank', 'not a url']) {
        const reply = await fake.electron.ipcMain.invoke(ipcChannel('app.info'), wc.ipcEvent(url), {});
        expect(reply).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      }
      const gone = await fake.electron.ipcMain.invoke(ipcChannel('app.info'), wc.ipcEvent(null), {});
      expect(gone).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(ws.dispatch).not.toHaveBeenCalled();
    });

    it('refuses calls once the window is destroyed', async () => {
      const w = mainWindow();
      w.destroyed = true;
      const reply = await fake.electron.ipcMain.invoke(ipcChannel('app.info'), w.webContents.ipcEvent(), {});
      expect(reply).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    });

    it("sends the workstation's events to the window", () => {
      ws.emit('sync.status', { connection: 'online', pending: 3, lastSyncAt: null, refusals: [] });
      expect(mainWindow().webContents.sent).toEqual([[IPC_EVENT_CHANNEL, 'sync.status', { connection: 'online', pending: 3, lastSyncAt: null, refusals: [] }]]);
    });
  });

  describe('without a key store', () => {
    it("refuses to start when safeStorage cannot encrypt: a Swedish error box, exit code 1, no workstation, no key file", async () => {
      const dir = dataDir();
      const shell = await start({ encryptionAvailable: false }, { dataDir: dir });
      expect(await shell.ready).toBeNull();
      expect(fake.errorBoxes).toEqual([{ title: STARTUP_FAILED_TITLE, content: expect.stringMatching(/safeStorage\) är inte tillgängligt/) }]);
      expect(fake.errorBoxes[0]!.content).toMatch(/ingen oskyddad nyckel används i stället[\s\S]*Kontakta er IT-kontaktperson/);
      expect(fake.calls.exit).toEqual([1]);
      expect(createWorkstation).not.toHaveBeenCalled();
      expect(fake.windows).toEqual([]);
      expect(fake.ipcHandlers.size).toBe(0);
      expect(filesUnder(dir)).toEqual([]);
    });

    it.skipIf(process.platform !== 'linux')("on Linux refuses safeStorage's basic_text backend (a hard-coded password) the same way", async () => {
      await start({ storageBackend: 'basic_text' });
      expect(fake.errorBoxes).toEqual([{ title: STARTUP_FAILED_TITLE, content: expect.stringMatching(/basic_text.*libsecret/) }]);
      expect(fake.calls.exit).toEqual([1]);
      expect(createWorkstation).not.toHaveBeenCalled();
    });

    it('if safeStorage goes away after the start, opening a store fails with KEY_VAULT_UNAVAILABLE in Swedish and writes no key anywhere', async () => {
      const dir = dataDir();
      await start({}, { dataDir: dir });
      fake.electron.safeStorage.available = false;
      const opening = openLocalStore({ dataDir: dir, hsaId: 'SE2321000131-P000000000103', vault: workstationOptions().vault });
      await expect(opening).rejects.toBeInstanceOf(AppFailure);
      await expect(opening).rejects.toMatchObject({ code: 'INTERNAL', details: { reason: 'KEY_VAULT_UNAVAILABLE' }, message: expect.stringMatching(/nyckel kan inte skyddas/) });
      expect(filesUnder(dir)).toEqual([]); // no .db.key, no database, no dev-vault.key
    });

    it('another failed start is told in an error box too, and the app exits', async () => {
      fake = createFakeElectron();
      const shell = startShell({
        electron: fake.electron,
        createWorkstation: async () => {
          throw new Error('PC/SC saknas');
        },
        settings: () => ({ serverUrl: 'http://127.0.0.1:4010', card: { type: 'pcsc' } }),
        appRoot: '/fake/app',
      });
      expect(await shell.ready).toBeNull();
      expect(fake.errorBoxes).toEqual([{ title: STARTUP_FAILED_TITLE, content: 'Arbetsstationen kunde inte starta: PC/SC saknas' }]);
      expect(fake.calls.exit).toEqual([1]);
    });
  });

  describe('lifecycle', () => {
    it('a second instance quits at once, creating nothing', async () => {
      const shell = await start({ singleInstanceLock: false });
      expect(shell.primary).toBe(false);
      expect(await shell.ready).toBeNull();
      expect(fake.calls.quit).toBe(1);
      expect(fake.windows).toEqual([]);
      expect(createWorkstation).not.toHaveBeenCalled();
      expect(fake.ipcHandlers.size).toBe(0);
    });

    it('the first instance comes forward when a second one starts', () => {
      mainWindow().minimized = true;
      fake.emitApp('second-instance', [], '/');
      expect(fake.calls.restore).toBe(1);
      expect(fake.calls.focus).toBe(1);
    });

    it('shows the window when it is ready to show', () => {
      expect(mainWindow().shown).toBe(false);
      mainWindow().emit('ready-to-show');
      expect(mainWindow().shown).toBe(true);
    });

    it('closes the workstation before quitting', async () => {
      const ev = fake.emitApp('will-quit');
      expect(ev.defaultPrevented).toBe(true);
      await vi.waitFor(() => expect(fake.calls.quit).toBe(1));
      expect(ws.close).toHaveBeenCalledOnce();
      expect(fake.emitApp('will-quit').defaultPrevented).toBe(false);
    });
  });
});
