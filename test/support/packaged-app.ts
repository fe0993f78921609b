import { extractAll } from '@electron/asar';
import { existsSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BUNDLE_PATHS } from '../../main/electron/bundle-paths';
import { buildElectron } from '../../scripts/build-electron';
import { packageApp, type PackageResult } from '../../scripts/package';
import { createFakeElectron, type FakeElectron, type FakeElectronOptions } from './fake-electron';

/**
 * The packaged workstation on this machine (scripts/package.ts on the stand-in Electron), and its
 * main bundle started in Node with the fake `electron` module in place of the real one.
 */
const projectRoot = path.resolve(import.meta.dirname, '..', '..');

/**
 * Packages the app as `npm run package` does, into a temporary folder. The renderer must be built
 * (`npm run build`, as `npm test` does before the tests); the Electron bundles are built here.
 */
export async function buildPackagedApp(): Promise<PackageResult> {
  if (!existsSync(path.join(projectRoot, BUNDLE_PATHS.renderer, 'index.html'))) throw new Error('run `npm run build` first: the renderer goes into the asar');
  await buildElectron();
  return packageApp({ outDir: mkdtempSync(path.join(tmpdir(), 'omsorg-package-')), standIn: true, skipBuild: true });
}

/**
 * The app as Electron's asar-aware file system shows it to the main process: the asar's files,
 * with each unpacked one read from app.asar.unpacked (@electron/asar does exactly that when it
 * extracts). Node cannot read an asar; this folder is what it reads instead.
 */
export function extractPackagedApp(asar: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'omsorg-app-'));
  extractAll(asar, dir);
  return dir;
}

export interface RunningMain {
  fake: FakeElectron;
  /** Removes the `electron` hook (the bundle's own services stay up until `will-quit`). */
  unhook(): void;
}

type ModuleLoader = { _load(request: string, parent: unknown, isMain: boolean): unknown };

/**
 * Requires the app's main bundle (package.json "main") with `require('electron')` answered by the
 * fake, as Electron's main process would run it. `env` is set while the bundle starts (it reads the
 * machine configuration's path from it).
 */
export function startPackagedMain(appDir: string, options: FakeElectronOptions = {}): RunningMain {
  const fake = createFakeElectron({ isPackaged: true, appPath: appDir, ...options });
  const Module = createRequire(import.meta.url)('node:module') as ModuleLoader;
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    return request === 'electron' ? fake.electron : load.call(this, request, parent, isMain);
  };
  const main = (createRequire(path.join(appDir, 'package.json'))('./package.json') as { main: string }).main;
  createRequire(path.join(appDir, 'package.json'))(`./${main}`);
  return {
    fake,
    unhook: () => {
      Module._load = load;
    },
  };
}
