import path from 'node:path';

/**
 * Where scripts/build-electron.ts writes each bundle, relative to the app root (the project folder
 * when run with `electron .`, app.asar when packaged). The build writes them here and the shell
 * loads them from here: one list, so the two cannot drift apart.
 */
export const BUNDLE_PATHS = {
  /** The Electron main process (package.json "main"). */
  main: 'dist/main/electron/index.cjs',
  /** The sandboxed preload: one self-contained file. */
  preload: 'dist/preload/index.cjs',
  /** The local store's worker thread (main/store/worker.ts), CommonJS, SQLite's native module external. */
  storeWorker: 'dist/main/store/worker.cjs',
  /** The sync pull worker (main/sync/pull-worker.ts), CommonJS, self-contained. */
  pullWorker: 'dist/main/sync/pull-worker.cjs',
  /** The PC/SC host process (native/pcsc/host/main.ts), CommonJS, pcsclite external: the main process never loads the addon. */
  pcscHost: 'dist/main/pcsc-host.cjs',
  /** DEMO ONLY: the software card's in-process reader (native/softcard/demo.ts), loaded only with DEMO_CARD. */
  softcardDemo: 'dist/main/softcard-demo.cjs',
  /** The renderer, built by Vite, served on app://workstation. */
  renderer: 'dist/renderer',
} as const;

export type BundleName = keyof typeof BUNDLE_PATHS;

/** The absolute path of a bundle under `root`. */
export const bundlePath = (root: string, name: BundleName): string => path.join(root, ...BUNDLE_PATHS[name].split('/'));
