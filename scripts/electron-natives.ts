/**
 * `npm start` in Electron, from the project: Electron's Node has an ABI of its own
 * (process.versions.modules), so the native modules npm built for Node (SQLCipher, pcsclite,
 * pkcs11js) would crash it on load. Rebuilding them in node_modules would break Node's copies,
 * which the tests, the server and the browser host use. So the Electron run gets an app folder of
 * its own, `.electron-app/<abi>/`: the production packages (what the installer would ship) copied
 * there and their native modules rebuilt for Electron with @electron/rebuild — once per Electron
 * version and lock file — and the freshly built bundles copied in at every start.
 * See docs/windows.md ("npm start with Electron").
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Electron's module ABI, asked of the binary itself (it runs as plain Node with ELECTRON_RUN_AS_NODE); null if it will not say. */
export function electronAbi(electronPath: string): string | null {
  const r = spawnSync(electronPath, ['-p', 'process.versions.modules'], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, encoding: 'utf8', timeout: 60_000 });
  const abi = r.status === 0 ? r.stdout.trim() : '';
  return /^\d+$/.test(abi) ? abi : null;
}

export interface NativesInput {
  root: string;
  nodeAbi: string;
  electronAbi: string;
  electronVersion: string;
}

export type NativesPlan =
  /** Same ABI (never so for a real Electron, but cheap to honour): run from the project as it is. */
  | { use: 'project' }
  /** `.electron-app/<abi>/` is up to date for this Electron and lock file: copy the bundles in and run it. */
  | { use: 'prepared'; dir: string }
  /** It must be (re)built first: prepareElectronApp. */
  | { use: 'build'; dir: string };

interface Stamp {
  electronVersion: string;
  electronAbi: string;
  lock: string;
}

const stampOf = (i: NativesInput): Stamp => ({
  electronVersion: i.electronVersion,
  electronAbi: i.electronAbi,
  lock: createHash('sha256').update(readFileSync(path.join(i.root, 'package-lock.json'))).digest('hex'),
});

export const electronAppDir = (root: string, abi: string): string => path.join(root, '.electron-app', abi);

export function planElectronNatives(i: NativesInput): NativesPlan {
  if (i.electronAbi === i.nodeAbi) return { use: 'project' };
  const dir = electronAppDir(i.root, i.electronAbi);
  try {
    const stamp = JSON.parse(readFileSync(path.join(dir, 'stamp.json'), 'utf8')) as Stamp;
    if (JSON.stringify(stamp) === JSON.stringify(stampOf(i))) return { use: 'prepared', dir };
  } catch {
    // no stamp: never built, or a build that did not finish
  }
  return { use: 'build', dir };
}

/** The production packages as npm installed them (dependencies and the optional ones that built), top-level folders. */
export function productionPackages(root: string): string[] {
  const out = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], shell: process.platform === 'win32' });
  const nm = path.join(root, 'node_modules') + path.sep;
  const names = new Set<string>();
  for (const line of out.split('\n')) {
    if (!line.startsWith(nm)) continue;
    const parts = line.slice(nm.length).split(path.sep);
    names.add(parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!);
  }
  return [...names].sort();
}

/** A package with a native addon to compile (binding.gyp). */
const isNative = (pkgDir: string): boolean => existsSync(path.join(pkgDir, 'binding.gyp'));

export type Rebuild = (o: { buildPath: string; electronVersion: string; onlyModules: string[]; force: boolean }) => Promise<void>;

/**
 * Fills `dir` with the production packages (native modules without their Node build, which
 * @electron/rebuild then compiles for Electron) and a package.json naming the main bundle; writes
 * the stamp last, so a failed build is redone at the next start.
 */
export async function prepareElectronApp(i: NativesInput, dir: string, rebuild: Rebuild): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  const natives: string[] = [];
  for (const name of productionPackages(i.root)) {
    const from = path.join(i.root, 'node_modules', ...name.split('/'));
    const native = isNative(from);
    if (native) natives.push(name);
    cpSync(from, path.join(dir, 'node_modules', ...name.split('/')), {
      recursive: true,
      // Node's compiled addon stays behind: the copy is compiled for Electron.
      filter: (src) => !(native && path.relative(from, src).split(path.sep)[0] === 'build'),
    });
  }
  const pkg = JSON.parse(readFileSync(path.join(i.root, 'package.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: pkg.name, version: pkg.version, productName: pkg.productName, main: 'dist/main/electron/index.cjs', dependencies: pkg.dependencies, optionalDependencies: pkg.optionalDependencies }, null, 2),
  );
  await rebuild({ buildPath: dir, electronVersion: i.electronVersion, onlyModules: natives, force: true });
  writeFileSync(path.join(dir, 'stamp.json'), JSON.stringify(stampOf(i)));
}

/** The bundles as just built (dist/), copied into the Electron app folder at every start. */
export function copyBundles(root: string, dir: string): void {
  rmSync(path.join(dir, 'dist'), { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(path.join(root, 'dist'), path.join(dir, 'dist'), { recursive: true });
}
