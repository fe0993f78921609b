import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import http from 'node:http';
import { builtinModules } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundlePath } from '../../../main/electron/bundle-paths';
import { SafeStorageKeyVault } from '../../../main/electron/key-vault';
import { startShell, type ShellWorkstationOptions } from '../../../main/electron/shell';
import type { KeyVault } from '../../../main/key-vault';
import { localStoreFile, openLocalStore } from '../../../main/store';
import { PageInbox } from '../../../main/store/page-inbox';
import type { WorkerEntry } from '../../../main/store/worker-client';
import { PageFetcher } from '../../../main/sync/page-fetcher';
import type { Workstation } from '../../../main/workstation';
import { buildElectron, type ElectronBundles } from '../../../scripts/build-electron';
import { createFakeElectron } from '../../support/fake-electron';
import { author, client, journalCreate, tempDir, unit, upsert } from '../store/fixtures';
import { fakeWorkstation } from './workstation-fake';

/**
 * The store's worker as the Electron app runs it: bundled by scripts/build-electron.ts into an app
 * root laid out as the packaged app is (dist/ beside node_modules/), then started by Node's Worker
 * straight from the .cjs file — no tsx, no source tree. better-sqlite3 is built for Node here, so
 * a real SQLCipher file opens outside Electron.
 */
const projectRoot = path.resolve(import.meta.dirname, '..', '..', '..');
const HSA = 'SE2321000131-P000000000103';
let appRoot: string;
let bundles: ElectronBundles;

beforeAll(async () => {
  appRoot = mkdtempSync(path.join(tmpdir(), 'electron-app-'));
  // As in the packaged app, the external native module is found in node_modules beside dist/.
  symlinkSync(path.join(projectRoot, 'node_modules'), path.join(appRoot, 'node_modules'), 'junction');
  bundles = await buildElectron(appRoot);
}, 30_000);
afterAll(() => rmSync(appRoot, { recursive: true, force: true }));

const dataDirs: (() => void)[] = [];
afterAll(() => dataDirs.forEach((cleanup) => cleanup()));
function dataDir(): string {
  const t = tempDir('worker-bundle-');
  dataDirs.push(t.cleanup);
  return t.dir;
}

/** Writes through one store, closes it, opens the file again with the same vault and worker, and reads it back. */
async function roundTrip(vault: KeyVault, workerUrl: WorkerEntry): Promise<void> {
  const dir = dataDir();
  const home = unit('Hemtjänst Norr');
  const tolvan = client(home.unitId, { givenName: 'Tolvan', familyName: 'Tolvansson' });
  const note = journalCreate(tolvan, 'Brukaren åt frukost');

  const first = await openLocalStore({ dataDir: dir, hsaId: HSA, vault, workerUrl });
  await first.applyPull({ units: [home], changes: [upsert('client', tolvan)], cursors: { [home.unitId]: 1 } });
  await first.enqueue(note, author);
  await first.close();

  const file = localStoreFile(dir, HSA);
  const bytes = readFileSync(file);
  expect(bytes.subarray(0, 16).toString('latin1')).not.toBe('SQLite format 3\0'); // encrypted from the first page
  expect(bytes.includes(Buffer.from('Tolvansson'))).toBe(false);
  expect(readFileSync(`${file}.key`).subarray(0, 3).toString()).toBe('v10'); // wrapped by safeStorage

  const again = await openLocalStore({ dataDir: dir, hsaId: HSA, vault, workerUrl });
  try {
    expect((await again.clients({ unitId: home.unitId, limit: 10 })).map((c) => c.id)).toEqual([tolvan.id]);
    expect((await again.journal({ clientId: tolvan.id, limit: 10 })).map((e) => [e.text, e.pending])).toEqual([['Brukaren åt frukost', true]]);
    expect(await again.outboxCount()).toBe(1);
  } finally {
    await again.close();
  }
}

const requiredModules = (file: string) => [...new Set([...readFileSync(file, 'utf8').matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!))].sort();

describe('the bundled store worker', () => {
  it('lies where the shell looks for it, as plain CommonJS needing only the SQLite module and Node built-ins', () => {
    expect(bundles.storeWorker).toBe(bundlePath(appRoot, 'storeWorker'));
    expect(bundles.storeWorker).toBe(path.join(appRoot, 'dist', 'main', 'store', 'worker.cjs'));
    const code = readFileSync(bundles.storeWorker, 'utf8');
    expect(code).not.toMatch(/^\s*(import|export)\s/m); // no ESM syntax: Node loads a .cjs as CommonJS
    expect(code).not.toMatch(/import\.meta/);
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    const outside = requiredModules(bundles.storeWorker).filter((id) => !builtins.has(id));
    expect(outside).toEqual(['better-sqlite3-multiple-ciphers']);
  });

  it('runs in a plain Node worker: a real encrypted store is written, closed, reopened and read', async () => {
    const vault = new SafeStorageKeyVault(createFakeElectron().electron.safeStorage, { platform: 'win32' });
    await roundTrip(vault, bundles.storeWorker);
  });

  it('is what actually runs: a store given a worker path that does not exist fails to open', async () => {
    const vault = new SafeStorageKeyVault(createFakeElectron().electron.safeStorage, { platform: 'win32' });
    const missing = path.join(appRoot, 'dist', 'main', 'store', 'no-such-worker.cjs');
    await expect(openLocalStore({ dataDir: dataDir(), hsaId: HSA, vault, workerUrl: missing })).rejects.toThrow(/Cannot find module .*no-such-worker\.cjs/);
  });
});

describe('the bundled pull worker', () => {
  it('lies where the shell looks for it, as plain CommonJS needing only Node built-ins', () => {
    expect(bundles.pullWorker).toBe(bundlePath(appRoot, 'pullWorker'));
    expect(bundles.pullWorker).toBe(path.join(appRoot, 'dist', 'main', 'sync', 'pull-worker.cjs'));
    const code = readFileSync(bundles.pullWorker, 'utf8');
    expect(code).not.toMatch(/^\s*(import|export)\s/m);
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    expect(requiredModules(bundles.pullWorker).filter((id) => !builtins.has(id))).toEqual([]);
  });

  it('runs in a plain Node worker: a page fetched over HTTP arrives in the inbox byte for byte', async () => {
    const page = JSON.stringify({ changes: [], note: 'Brukaren åt frukost' });
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end(page));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port1, port2 } = new MessageChannel();
    const fetcher = PageFetcher.start(port1, bundles.pullWorker);
    const inbox = new PageInbox(port2);
    try {
      const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const { ticket } = await fetcher.fetch({ baseUrl, token: 'tok', body: { cursors: {} } });
      expect(new TextDecoder().decode(inbox.take(ticket))).toBe(page);
    } finally {
      await fetcher.close();
      inbox.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('the Electron shell started from the built app', () => {
  it('hands the workstation a safeStorage vault and the bundled worker, and a real store round-trips with them', async () => {
    const fake = createFakeElectron();
    let given: ShellWorkstationOptions | null = null;
    const ws = fakeWorkstation();
    const shell = startShell({
      electron: fake.electron,
      createWorkstation: async (opts): Promise<Workstation> => {
        given = opts;
        return ws.workstation;
      },
      settings: () => ({ serverUrl: 'http://127.0.0.1:4010', card: { type: 'pcsc' } }),
      appRoot,
    });
    expect(await shell.ready).not.toBeNull();
    const opts = given as ShellWorkstationOptions | null;
    if (!opts) throw new Error('createWorkstation was not called');
    expect(opts.vault).toBeInstanceOf(SafeStorageKeyVault);
    expect(opts.storeWorker).toBe(bundles.storeWorker);
    expect(opts.pullWorker).toBe(bundles.pullWorker);
    expect(existsSync(opts.storeWorker as string)).toBe(true);
    await roundTrip(opts.vault, opts.storeWorker);
  });
});
