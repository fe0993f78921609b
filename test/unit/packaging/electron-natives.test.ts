import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyBundles, electronAbi, electronAppDir, planElectronNatives, prepareElectronApp, type Rebuild } from '../../../scripts/electron-natives';
import { createStandInElectron } from '../../../scripts/package';

/**
 * `npm start` with a real Electron (scripts/electron-natives.ts): the native modules are rebuilt
 * for Electron's ABI in an app folder of its own, never in node_modules. Electron's headers
 * cannot be fetched here, so @electron/rebuild itself is the edge: these tests record what it is
 * asked to do and check everything around it — the ABI probe, the decision, the folder.
 */
const root = path.resolve(import.meta.dirname, '..', '..', '..');
const tmp = mkdtempSync(path.join(tmpdir(), 'electron-natives-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
const nodeNatives = () =>
  ['better-sqlite3-multiple-ciphers/build/Release/better_sqlite3.node', 'pkcs11js/build/Release/pkcs11.node', 'pcsclite/build/Release/pcsclite.node']
    .map((f) => path.join(root, 'node_modules', f))
    .filter((f) => existsSync(f));

describe('npm start with Electron: native modules for its ABI, beside Node’s', () => {
  it('asks the binary for its ABI as plain Node; a binary that will not say gives null', () => {
    // Node answers the same question the same way Electron does with ELECTRON_RUN_AS_NODE.
    expect(electronAbi(process.execPath)).toBe(process.versions.modules);
    const standIn = createStandInElectron(path.join(tmp, 'stand-in'));
    expect(electronAbi(path.join(standIn, process.platform === 'win32' ? 'electron.exe' : 'electron'))).toBeNull();
  });

  it('runs from the project when the ABIs agree; otherwise from .electron-app/<abi>/, built once per Electron version and lock file', async () => {
    const fakeRoot = path.join(tmp, 'project');
    mkdirSync(fakeRoot, { recursive: true });
    copyFileSync(path.join(root, 'package-lock.json'), path.join(fakeRoot, 'package-lock.json'));
    const input = { root: fakeRoot, nodeAbi: '115', electronAbi: '130', electronVersion: '33.2.0' };

    expect(planElectronNatives({ ...input, electronAbi: '115' })).toEqual({ use: 'project' });
    const dir = electronAppDir(fakeRoot, '130');
    expect(planElectronNatives(input)).toEqual({ use: 'build', dir });

    // A build that fails leaves no stamp: the next start builds again.
    await expect(prepareElectronApp({ ...input, root }, dir, () => Promise.reject(new Error('gyp: inga rubriker')))).rejects.toThrow('gyp');
    expect(planElectronNatives(input)).toEqual({ use: 'build', dir });

    await prepareElectronApp({ ...input, root }, dir, () => Promise.resolve());
    expect(planElectronNatives(input)).toEqual({ use: 'prepared', dir });
    expect(planElectronNatives({ ...input, electronVersion: '33.3.0' })).toEqual({ use: 'build', dir });
    writeFileSync(path.join(fakeRoot, 'package-lock.json'), '{}');
    expect(planElectronNatives(input)).toEqual({ use: 'build', dir });
  }, 60_000);

  it('copies the production packages only, asks @electron/rebuild for their native modules there, and leaves Node’s builds untouched', async () => {
    const before = nodeNatives().map(sha);
    expect(before.length).toBeGreaterThanOrEqual(2);
    const dir = path.join(tmp, 'app');
    const calls: Parameters<Rebuild>[0][] = [];
    await prepareElectronApp({ root, nodeAbi: process.versions.modules, electronAbi: '130', electronVersion: '33.2.0' }, dir, async (o) => {
      calls.push(o);
    });

    const installed = readdirSync(path.join(dir, 'node_modules'));
    for (const p of ['better-sqlite3-multiple-ciphers', 'pdfkit', 'electron-updater', 'pkcs11js']) expect(installed, p).toContain(p);
    for (const p of ['vitest', 'fastify', 'electron', 'electron-builder', 'tsx', 'react']) expect(installed, p).not.toContain(p);
    // The native packages arrive without Node's build, with the sources to compile.
    expect(existsSync(path.join(dir, 'node_modules', 'better-sqlite3-multiple-ciphers', 'build'))).toBe(false);
    expect(existsSync(path.join(dir, 'node_modules', 'better-sqlite3-multiple-ciphers', 'binding.gyp'))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'))).toMatchObject({ main: 'dist/main/electron/index.cjs' });

    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ buildPath: dir, electronVersion: '33.2.0', force: true });
    expect(calls[0]!.onlyModules).toEqual(expect.arrayContaining(['better-sqlite3-multiple-ciphers', 'pkcs11js']));
    expect(calls[0]!.onlyModules).not.toContain('pdfkit');

    expect(nodeNatives().map(sha)).toEqual(before);
  }, 60_000);

  it('copies the bundles as just built into the app folder at every start', () => {
    const project = path.join(tmp, 'bundles');
    mkdirSync(path.join(project, 'dist', 'main'), { recursive: true });
    writeFileSync(path.join(project, 'dist', 'main', 'a.cjs'), 'ny');
    const dir = path.join(tmp, 'bundle-app');
    mkdirSync(path.join(dir, 'dist'), { recursive: true });
    writeFileSync(path.join(dir, 'dist', 'gammal.cjs'), 'gammal');
    copyBundles(project, dir);
    expect(readdirSync(path.join(dir, 'dist'), { recursive: true, encoding: 'utf8' }).sort()).toEqual(['main', path.join('main', 'a.cjs')]);
  });
});
