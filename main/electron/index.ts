/**
 * The Electron main entry (bundled to dist/main/electron/index.cjs by scripts/build-electron.ts).
 * Only wiring: the real electron module and the real composition root into the shell. The shell
 * builds the safeStorage key vault after `ready`, passes it and the bundled store worker on, and
 * tells the user in an error box (then exits with code 1) if the start fails.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as electron from 'electron';
import { createWorkstation } from '../app';
import { cardOverrides, startupConfig } from '../config/machine-config';
import { powershellAclReader, regExeReader } from '../config/windows-policy';
import type { DemoReaderFile } from '../session/card-access';
import { bundlePath } from './bundle-paths';
import { startShell } from './shell';

const appRoot = path.resolve(__dirname, '..', '..', '..'); // this file is dist/main/electron/index.cjs

// The machine's configuration and the policy that lets the installed app follow OMSORG_CONFIG
// (main/config/machine-config.ts): on Windows from HKLM\SOFTWARE\Policies\Omsorgsportalen, read once.
const config = startupConfig({
  env: process.env,
  packaged: electron.app.isPackaged,
  resourcesPath: process.resourcesPath,
  ...(process.platform === 'win32' ? { windows: { registry: regExeReader, acl: powershellAclReader } } : {}),
});
const configOverrideAllowedAtStart = config.overrideAllowed;

// DEMO ONLY: DEMO_CARD=<card file> puts a software card in a built-in reader, from the separate
// demo bundle (without it the software card is not even loaded); PKCS11_MODULE=<module path> talks
// to the card through that PKCS#11 module. The installed app follows them only under the policy.
const { demoCard, pkcs11Module, demoReader } = cardOverrides(process.env, electron.app.isPackaged, configOverrideAllowedAtStart);

/** The software card is only in the demo build (scripts/package.ts --demo); a production install says so. */
const demoModule = (): string => {
  const file = bundlePath(appRoot, 'softcardDemo');
  // Swedish: a startup error, shown in the start's error box before any UI exists (docs/adding-a-feature.md, "Errors").
  if (!existsSync(file)) throw new Error('Demokortet (DEMO_CARD) finns bara i demobygget av appen; den här installationen läser bara riktiga kort.');
  return file;
};

// PC/SC runs in a host process of its own, started from this bundle (a utility process in Electron).
const pcscHost = bundlePath(appRoot, 'pcscHost');

startShell({
  electron,
  createWorkstation: async (o) =>
    createWorkstation(
      demoCard
        ? { ...o, card: { kind: 'demo', cardFile: path.resolve(demoCard), module: demoModule() } }
        : pkcs11Module
          ? { ...o, card: { kind: 'pkcs11', module: pkcs11Module } }
          : demoReader
            ? { ...o, card: { kind: 'pcsc-and-demo', ...(JSON.parse(readFileSync(demoReader, 'utf8')) as DemoReaderFile), module: demoModule(), host: pcscHost } }
            : o.card.kind === 'pcsc'
              ? { ...o, card: { ...o.card, host: pcscHost } }
              : o,
    ),
  // The packaged app: the policy key or the machine's config file (OMSORG_CONFIG only under the machine-wide policy); from the project: SERVER_URL (development).
  settings: config.settings,
  dataDir: process.env.DATA_DIR,
  // Loaded only when the configuration names an update feed: it is not needed for the start.
  updater: () => (createRequire(import.meta.url)('electron-updater') as typeof import('electron-updater')).autoUpdater,
  resourcesPath: process.resourcesPath,
});
