/**
 * The Electron main entry (bundled to dist/main/electron/index.cjs by scripts/build-electron.ts).
 * Only wiring: the real electron module and the real composition root into the shell.
 */
import * as electron from 'electron';
import { createWorkstation } from '../app';
import { startShell } from './shell';

const shell = startShell({
  electron,
  createWorkstation,
  serverUrl: process.env.SERVER_URL ?? 'http://127.0.0.1:4010',
  dataDir: process.env.DATA_DIR,
});

shell.ready.catch((e: unknown) => {
  console.error('Arbetsstationen kunde inte starta:', e);
  electron.app.exit(1);
});
