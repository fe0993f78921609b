/**
 * One cold start of the packaged workstation (bench/startup.ts runs this, bundled, in a fresh Node
 * process per sample): the app's main bundle with the fake `electron` module, until the renderer's
 * login screen — app://workstation/index.html and the scripts and styles it loads — is served.
 * Prints {"served_ms": …, "main_ms": …}: from the process's start, and from requiring the bundle.
 * argv: the app directory (the asar as Electron's file system shows it), the user data folder, and
 * the folder that stands for Electron's process.resourcesPath (holding the policy file that lets
 * the packaged app follow OMSORG_CONFIG: the benchmark brings its own configuration).
 */
import Module from 'node:module';
import path from 'node:path';
import { APP_ENTRY_URL, APP_ORIGIN } from '../main/electron/app-protocol';
import { createFakeElectron } from '../test/support/fake-electron';

const [appDir, userData, resourcesPath] = process.argv.slice(2) as [string, string, string | undefined];
if (resourcesPath) (process as { resourcesPath?: string }).resourcesPath = resourcesPath;
const fake = createFakeElectron({ isPackaged: true, appPath: appDir, paths: { userData } });
const loader = Module as unknown as { _load(request: string, parent: unknown, isMain: boolean): unknown };
const load = loader._load;
loader._load = function (request, parent, isMain) {
  return request === 'electron' ? fake.electron : load.call(this, request, parent, isMain);
};

const t0 = performance.now();
const appRequire = Module.createRequire(path.join(appDir, 'package.json'));
appRequire(`./${(appRequire('./package.json') as { main: string }).main}`);

const timer = setInterval(() => {
  if (fake.errorBoxes.length) {
    console.error(JSON.stringify(fake.errorBoxes));
    process.exit(1);
  }
  if (fake.calls.loadURL.length === 0) return;
  clearInterval(timer);
  void serve().then(() => {
    const now = performance.now();
    console.log(JSON.stringify({ served_ms: now, main_ms: now - t0 }));
    process.exit(0);
  });
}, 1);

/** Fetches the entry page and each asset it names through the app:// handler, as the window would. */
async function serve(): Promise<void> {
  const handler = fake.protocolHandlers.get('app')!;
  const html = await (await handler(new Request(APP_ENTRY_URL))).text();
  if (!html.includes('<div id="root">')) throw new Error('the entry page is not the renderer');
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
  for (const a of assets) {
    const r = await handler(new Request(`${APP_ORIGIN}${a}`));
    if (r.status !== 200) throw new Error(`${a}: ${r.status}`);
    await r.arrayBuffer();
  }
}
