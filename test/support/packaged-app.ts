import { existsSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { extractAll } from '@electron/asar';
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
 * Packages the app as `npm run package` does (the production build; `demo`: the demo build with
 * the software card), into a temporary folder. The renderer must be built
 * (`npm run build`, as `npm test` does before the tests); the Electron bundles are built here.
 */
export async function buildPackagedApp(opts: { demo?: boolean; skipBuild?: boolean } = {}): Promise<PackageResult> {
  if (!existsSync(path.join(projectRoot, BUNDLE_PATHS.renderer, 'index.html'))) throw new Error('run `npm run build` first: the renderer goes into the asar');
  if (!opts.skipBuild) await buildElectron();
  return packageApp({ outDir: mkdtempSync(path.join(tmpdir(), 'omsorg-package-')), standIn: true, skipBuild: true, demo: opts.demo ?? false });
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

export interface StartEnvironment {
  /** Set while the bundle starts and until it has read its settings (at require time and after `ready`). */
  env?: Record<string, string>;
  /** Electron's process.resourcesPath (plain Node has none): where the bundle looks for the machine-wide policy file. */
  resourcesPath?: string;
}

/**
 * startPackagedMain with `start`'s environment in place until `started` holds for the fake (the
 * window loaded, or an error window), then the process's own environment back.
 */
export async function startPackagedMainWith(appDir: string, options: FakeElectronOptions, start: StartEnvironment, started: (fake: FakeElectron) => boolean): Promise<RunningMain> {
  const proc = process as { resourcesPath?: string };
  const saved = { env: Object.fromEntries(Object.keys(start.env ?? {}).map((k) => [k, process.env[k]])), resourcesPath: proc.resourcesPath };
  Object.assign(process.env, start.env);
  if (start.resourcesPath) proc.resourcesPath = start.resourcesPath;
  try {
    const running = startPackagedMain(appDir, options);
    await until(() => started(running.fake), 20_000);
    return running;
  } finally {
    for (const [k, v] of Object.entries(saved.env)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    if (saved.resourcesPath === undefined) delete proc.resourcesPath;
    else proc.resourcesPath = saved.resourcesPath;
  }
}

/** Polls `pred` every 50 ms until it holds; throws with the last error after `ms`. */
export async function until(pred: () => boolean | Promise<boolean>, ms: number): Promise<void> {
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
