/**
 * Bundles the Electron shell for `electron .` and for electron-builder (paths in
 * main/electron/bundle-paths.ts, relative to the app root):
 *   main/electron/index.ts → dist/main/electron/index.cjs (Node, electron and native modules external)
 *   main/store/worker.ts   → dist/main/store/worker.cjs (the store's worker thread: plain CommonJS that
 *                            Node's Worker loads as it is, SQLite's native module external; the shell
 *                            passes its path to the store, since the bundle has no source tree to start)
 *   main/sync/pull-worker.ts → dist/main/sync/pull-worker.cjs (the sync pull worker, self-contained;
 *                            passed to the sync engine the same way)
 *   native/pcsc/host/main.ts → dist/main/pcsc-host.cjs (the PC/SC host process the shell forks — a
 *                            utility process in Electron — so that only it loads the pcsclite addon)
 *   preload/index.ts       → dist/preload/index.cjs (one self-contained file: a sandboxed preload
 *                            can require nothing but 'electron' and a few polyfills)
 * The renderer is built separately by Vite into dist/renderer.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { BUNDLE_PATHS, bundlePath } from '../main/electron/bundle-paths';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sqlite = 'better-sqlite3-multiple-ciphers';
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
/**
 * The packages the bundles leave external, loaded from node_modules at run time: exactly the
 * package.json `dependencies` and `optionalDependencies` — the only packages electron-builder puts
 * in app.asar. Native modules (pcsclite, SQLite) cannot be bundled; pdfkit reads its font metrics
 * (data/*.afm) from its own folder, and the PDFs' font files (dejavu-fonts-ttf) are found by module
 * resolution from the bundle; electron-updater requires electron itself. Everything else is
 * bundled in, so it is a devDependency (see docs/windows.md).
 */
export const appPackages = Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies });

/**
 * A CommonJS bundle has no `import.meta`: esbuild leaves it an empty object, so code written as ES
 * modules that finds files from `import.meta.url` (native/pcsc/binding.ts's createRequire for the
 * PC/SC addon) would get undefined and fail only at run time — in the packaged app, PC/SC reported
 * as unavailable. Each bundle therefore defines `import.meta.url` as its own file's URL, and any
 * other use of `import.meta` is a build error rather than a silenced warning.
 */
const bundleUrl: Pick<BuildOptions, 'define' | 'banner' | 'logOverride'> = {
  define: { 'import.meta.url': '__bundleFileUrl' },
  banner: { js: 'var __bundleFileUrl = require("node:url").pathToFileURL(__filename).href;' },
  logOverride: { 'empty-import-meta': 'error' },
};

/** The options every Node bundle of the workstation shares (also bench/sync.ts's workstation side). */
export const common: BuildOptions = {
  ...bundleUrl,
  absWorkingDir: root,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node22',
  sourcemap: 'linked',
  // Whitespace and syntax only: identifiers and function names stay (stack traces in the log file
  // stay readable; error classes keep their names). Halves the bundles in app.asar.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
};

export interface ElectronBundles {
  main: string;
  preload: string;
  storeWorker: string;
  pullWorker: string;
  pcscHost: string;
}

/** Builds the bundles under `appRoot` (default: the project), each at its BUNDLE_PATHS place; returns their paths. */
export async function buildElectron(appRoot = root): Promise<ElectronBundles> {
  const out: ElectronBundles = {
    main: bundlePath(appRoot, 'main'),
    preload: bundlePath(appRoot, 'preload'),
    storeWorker: bundlePath(appRoot, 'storeWorker'),
    pullWorker: bundlePath(appRoot, 'pullWorker'),
    pcscHost: bundlePath(appRoot, 'pcscHost'),
  };
  await Promise.all([
    build({
      ...common,
      entryPoints: ['main/electron/index.ts'],
      outfile: out.main,
      external: ['electron', ...appPackages],
    }),
    build({
      ...common,
      entryPoints: ['main/store/worker.ts'],
      outfile: out.storeWorker,
      external: [sqlite],
    }),
    build({
      ...common,
      entryPoints: ['main/sync/pull-worker.ts'],
      outfile: out.pullWorker,
    }),
    // The PC/SC host process: the only bundle that loads the pcsclite addon (main forks it).
    build({
      ...common,
      entryPoints: ['native/pcsc/host/main.ts'],
      outfile: out.pcscHost,
      external: appPackages,
      // The card stack needs only AppFailure from the contract: not the schemas and zod (0.6 MiB).
      // Any other value imported from '#contract' under native/pcsc fails this build by name.
      plugins: [{ name: 'contract-app-failure', setup: (b) => void b.onResolve({ filter: /^#contract$/ }, () => ({ path: path.join(root, 'contract', 'app-failure.ts') })) }],
    }),
    // DEMO ONLY: the software card stays out of the main bundle; main loads this file with DEMO_CARD set.
    build({
      ...common,
      entryPoints: ['native/softcard/demo.ts'],
      outfile: bundlePath(appRoot, 'softcardDemo'),
    }),
    build({
      ...common,
      entryPoints: ['preload/index.ts'],
      outfile: out.preload,
      // Sandboxed: no require('node:url'), no __filename; it has no import.meta either (an error above).
      banner: {},
      external: ['electron'],
    }),
  ]);
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildElectron();
  console.log(`Byggde ${[BUNDLE_PATHS.main, BUNDLE_PATHS.storeWorker, BUNDLE_PATHS.pullWorker, BUNDLE_PATHS.pcscHost, BUNDLE_PATHS.preload].join(', ')}`);
}
