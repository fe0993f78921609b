import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { methodNames, type WorkstationBridge } from '#contract';
import { appPackages, buildElectron } from '../../../scripts/build-electron';
import { createFakeElectron } from '../../support/fake-electron';

let bundles: { main: string; preload: string; pcscHost: string };

beforeAll(async () => {
  bundles = await buildElectron(mkdtempSync(path.join(tmpdir(), 'electron-build-')));
}, 30_000);

const requiredModules = (file: string) => [...new Set([...readFileSync(file, 'utf8').matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!))].sort();

describe('the Electron bundles', () => {
  it('the preload is one self-contained file needing only electron, as a sandboxed preload must', () => {
    expect(requiredModules(bundles.preload)).toEqual(['electron']);
  });

  it('the preload bundle runs in a bare context and exposes window.omsorg with every method', () => {
    const fake = createFakeElectron();
    const module = { exports: {} };
    const sandbox = vm.createContext({
      module,
      exports: module.exports,
      require: (id: string) => {
        if (id !== 'electron') throw new Error(`module not found: ${id}`);
        return { contextBridge: fake.electron.contextBridge, ipcRenderer: fake.electron.ipcRenderer };
      },
      console,
    });
    vm.runInContext(readFileSync(bundles.preload, 'utf8'), sandbox, { filename: 'preload/index.cjs' });
    expect([...fake.exposed.keys()]).toEqual(['omsorg']);
    const api = (fake.exposed.get('omsorg') as WorkstationBridge).api as unknown as Record<string, Record<string, unknown>>;
    for (const method of methodNames()) {
      const [ns, m] = method.split('.') as [string, string];
      expect(typeof api[ns]?.[m], method).toBe('function');
    }
  });

  it('the main bundle leaves only electron, Node built-ins and the runtime packages (package.json dependencies) outside', () => {
    for (const id of requiredModules(bundles.main)) expect(id === 'electron' || id.startsWith('node:') || appPackages.includes(id), id).toBe(true);
    expect(appPackages.sort()).toEqual(['better-sqlite3-multiple-ciphers', 'dejavu-fonts-ttf', 'electron-updater', 'jose', 'openid-client', 'pcsclite', 'pdfkit', 'pkcs11js']);
  });

  it('only the PC/SC host bundle loads the pcsclite addon, never the main bundle; the host is small (AppFailure only from the contract, no zod)', () => {
    expect(readFileSync(bundles.main, 'utf8')).not.toContain('pcsclite.node');
    const host = readFileSync(bundles.pcscHost, 'utf8');
    expect(host).toContain('pcsclite/build/Release/pcsclite.node');
    expect(requiredModules(bundles.pcscHost).filter((id) => !id.startsWith('node:'))).toEqual([]);
    expect(host.length).toBeLessThan(100_000);
  });
});
