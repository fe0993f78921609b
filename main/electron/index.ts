/**
 * The Electron main entry (bundled to dist/main/electron/index.cjs by scripts/build-electron.ts).
 * Only wiring: the real electron module and the real composition root into the shell. The shell
 * builds the safeStorage key vault after `ready`, passes it and the bundled store worker on, and
 * tells the user in an error box (then exits with code 1) if the start fails.
 */
import * as electron from 'electron';
import { createRequire } from 'node:module';
import { createWorkstation } from '../app';
import { resolveSettings } from '../config/machine-config';
import { startShell } from './shell';

startShell({
  electron,
  createWorkstation,
  // The packaged app: the machine's config file; from the project: SERVER_URL (development).
  settings: () => resolveSettings(process.env, electron.app.isPackaged),
  dataDir: process.env.DATA_DIR,
  // Loaded only when the configuration names an update feed: it is not needed for the start.
  updater: () => (createRequire(import.meta.url)('electron-updater') as typeof import('electron-updater')).autoUpdater,
  resourcesPath: process.resourcesPath,
});
