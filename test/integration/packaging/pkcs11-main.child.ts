/**
 * The packaged main bundle under plain `node` (no vitest, no tsx): the test bundles this file with
 * esbuild into one CommonJS file and forks `node` on it. It answers `require('electron')` with the
 * fake, requires the app's main bundle (package.json "main") exactly as Electron's main process
 * would, and then carries out the parent's renderer calls over the IPC channel:
 *   { id, method, input } → { id, ok, value | error }
 * argv: <appDir> <userData>. The environment (OMSORG_CONFIG, SOFTHSM2_CONF, OPENSC_CONF) comes from
 * the parent; process.resourcesPath from RESOURCES_PATH.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { ipcChannel } from '#contract';
import { createFakeElectron } from '../../support/fake-electron';

const [appDir, userData] = process.argv.slice(2) as [string, string];
(process as { resourcesPath?: string }).resourcesPath = process.env.RESOURCES_PATH;
const fake = createFakeElectron({ isPackaged: true, appPath: appDir, paths: { userData } });
type ModuleLoader = { _load(request: string, parent: unknown, isMain: boolean): unknown };
const Module = createRequire(__filename)('node:module') as ModuleLoader;
const load = Module._load;
Module._load = function (request, parent, isMain) {
  return request === 'electron' ? fake.electron : load.call(this, request, parent, isMain);
};
const appRequire = createRequire(path.join(appDir, 'package.json'));
appRequire(`./${(appRequire('./package.json') as { main: string }).main}`);

process.on('message', (m: { id: number; method: string; input?: unknown }) => {
  void (async () => {
    try {
      if (m.method === '$errorBoxes') return process.send!({ id: m.id, ok: true, value: fake.errorBoxes });
      if (m.method === '$quit') {
        fake.emitApp('will-quit');
        return process.send!({ id: m.id, ok: true, value: null });
      }
      const win = fake.windows[0];
      if (!win) return process.send!({ id: m.id, ok: false, error: { code: 'NO_WINDOW', message: JSON.stringify(fake.errorBoxes) } });
      const res = (await fake.electron.ipcMain.invoke(ipcChannel(m.method), win.webContents.ipcEvent(), m.input ?? {})) as object;
      process.send!({ id: m.id, ...res });
    } catch (e) {
      process.send!({ id: m.id, ok: false, error: { code: 'HARNESS', message: String(e) } });
    }
  })();
});
process.send!({ id: 0, ok: true, value: 'started' });
