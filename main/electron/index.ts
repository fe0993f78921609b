/**
 * The Electron main entry (bundled to dist/main/electron/index.cjs by scripts/build-electron.ts).
 * Only wiring: the real electron module and the real composition root into the shell. The shell
 * builds the safeStorage key vault after `ready`, passes it and the bundled store worker on, and
 * tells the user in an error box (then exits with code 1) if the start fails.
 */
import * as electron from 'electron';
import { createWorkstation } from '../app';
import { startShell } from './shell';

startShell({
  electron,
  createWorkstation,
  serverUrl: process.env.SERVER_URL ?? 'http://127.0.0.1:4010',
  dataDir: process.env.DATA_DIR,
});
