/**
 * `npm start`: the embedded server plus the workstation. In Electron when its binary is there;
 * otherwise (as on our build machines) the same workstation through the browser host, whose URL
 * is printed.
 */
import { spawn, execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWorkstation } from '../main/app';
import { startBrowserHost } from '../main/host/browser-host';
import type { DemoReaderFile } from '../main/session/card-access';
import { pcscAddonProblem } from '../native/pcsc/binding';
import { demoCardHolders, prepareDemoCards } from './demo-cards';
import { electronBinary } from './electron-binary';
import { copyBundles, electronAbi, planElectronNatives, prepareElectronApp } from './electron-natives';
import { startEmbeddedServer } from './embedded-server';
import { nodeTool, nodeTsx } from './node-tool';

const t0 = performance.now();
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = path.resolve(root, process.env.DATA_DIR ?? '.data');
const rendererDir = path.join(root, 'dist', 'renderer');
const electronProbe = electronBinary(root);

if (!existsSync(path.join(rendererDir, 'index.html')) || process.env.REBUILD === '1') {
  console.log('Bygger gränssnittet…');
  // Errors only: vite's warnings (chunk sizes) are for developers and in English.
  execFileSync(...nodeTool(root, 'vite', ['build', '--config', 'vite.renderer.config.ts', '--logLevel', 'error']), { cwd: root, stdio: 'inherit' });
}

const external = process.env.SERVER_URL;
// The embedded server trusts the demo PKI (and only it); every demo person gets a card file.
const demo = external ? null : await prepareDemoCards({ pkiDir: path.join(dataDir, 'pki'), cardsDir: path.join(dataDir, 'cards') });
const server = external
  ? null
  : await startEmbeddedServer({ root, dataDir: path.join(dataDir, 'server'), env: demo!.serverEnv });
const serverUrl = external ?? server!.url;
console.log(`Server: ${serverUrl}${external ? ' (extern)' : ` (inbyggd; logg: ${path.relative(process.cwd(), server!.logFile)}, varningar och fel visas här)`}`);

const electron = await electronProbe;
if ('path' in electron && process.env.BROWSER_HOST !== '1') {
  execFileSync(...nodeTsx(root, 'scripts/build-electron.ts'), { cwd: root, stdio: 'inherit' });
  const appDir = await electronAppFolder(electron.path);
  // The embedded demo: the built-in demo reader beside PC/SC in Electron too (unless DEMO_CARD or PKCS11_MODULE says otherwise).
  const demoReader = demo && !process.env.DEMO_CARD && !process.env.PKCS11_MODULE ? path.join(dataDir, 'demo-reader.json') : null;
  if (demoReader) writeFileSync(demoReader, JSON.stringify({ people: demoCardHolders(demo!.cards), pin: demo!.pin } satisfies DemoReaderFile));
  const app = spawn(electron.path, [appDir ?? path.join(root, 'dist', 'main', 'electron', 'index.cjs')], {
    cwd: root,
    env: { ...process.env, SERVER_URL: serverUrl, DATA_DIR: dataDir, ...(demoReader ? { DEMO_READER: demoReader } : {}) },
    stdio: 'inherit',
  });
  app.on('exit', (code) => {
    server?.child.kill();
    process.exit(code ?? 0);
  });
} else {
  if ('missing' in electron) {
    console.log(`Electron kan inte startas här (${electron.missing}); arbetsstationen serveras i stället via webbläsarvärden.`);
  }
  const demoCard = process.env.DEMO_CARD;
  if (demoCard && !existsSync(demoCard)) {
    console.error(`Kortfilen ${demoCard} finns inte (DEMO_CARD). Demokorten ligger i ${path.join(dataDir, 'cards')}/.`);
    server?.child.kill();
    process.exit(1);
  }
  const pcscProblem = demoCard ? null : pcscAddonProblem(demo !== null);
  if (pcscProblem) console.log(pcscProblem);
  const workstation = await createWorkstation({
    host: 'browser',
    serverUrl,
    dataDir,
    // With the embedded server (demo PKI, demo cards) the built-in demo reader is there beside the
    // PC/SC readers; the login screen lists the demo people. DEMO_CARD (scripts) puts one card in
    // it instead, and nothing else; a real server (SERVER_URL) gets no demo reader.
    card: demoCard
      ? { kind: 'demo', cardFile: path.resolve(demoCard) }
      : process.env.PKCS11_MODULE
        ? { kind: 'pkcs11', module: process.env.PKCS11_MODULE }
        : demo
          ? { kind: 'pcsc-and-demo', people: demoCardHolders(demo.cards), pin: demo.pin }
          : { kind: 'pcsc' },
    ...(process.env.IDLE_TIMEOUT_MS ? { idleTimeoutMs: Number(process.env.IDLE_TIMEOUT_MS) } : {}),
    workstationName: process.env.WORKSTATION_NAME ?? 'browser-host',
    prestartWorkers: true,
    logLine: workstationLog(path.join(dataDir, 'workstation.log')),
  }).catch((e: unknown) => {
    console.error(`Arbetsstationen kunde inte starta: ${(e as Error).message}`);
    server?.child.kill();
    process.exit(1);
  });
  const host = await startBrowserHost({ workstation, rendererDir, port: Number(process.env.PORT ?? 0) });
  if (demo) {
    console.log(`Demokort (PIN ${demo.pin}): ${path.relative(process.cwd(), demo.cards[0]!)} m.fl. i ${path.relative(process.cwd(), path.dirname(demo.cards[0]!))}/`);
    console.log(
      demoCard
        ? `Demokortet ${demoCard} sitter i en inbyggd demoläsare (DEMO ONLY, utan PC/SC).`
        : process.env.PKCS11_MODULE
          ? `Kortet läses genom PKCS#11-modulen ${process.env.PKCS11_MODULE}.`
          : `Logga in: välj en demoperson på inloggningssidan (kortet sätts i den inbyggda demoläsaren, DEMO ONLY), eller sätt i ett demokort i vpcd-läsaren: npm run card:insert -- ${path.relative(process.cwd(), demo.cards[0]!)}`,
    );
  }
  console.log(`Öppna arbetsstationen: ${host.url}`);
  console.log(`Klar på ${((performance.now() - t0) / 1000).toFixed(1)} s. Avsluta med Ctrl+C.`);
  const stop = async () => {
    await host.close();
    await workstation.close();
    server?.child.kill();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

/**
 * Where Electron runs from: its own app folder with the native modules built for its ABI
 * (scripts/electron-natives.ts), built on first use; null when its ABI is Node's (run from the
 * project). If they cannot be built, one Swedish line says why and what to do, and the start ends.
 */
async function electronAppFolder(binary: string): Promise<string | null> {
  const abi = electronAbi(binary);
  const electronVersion = (JSON.parse(readFileSync(path.join(root, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string }).version;
  const input = { root, nodeAbi: process.versions.modules, electronAbi: abi ?? '', electronVersion };
  const plan = abi ? planElectronNatives(input) : null;
  if (!plan) return fail(`Electron ${electronVersion} säger inte vilket ABI det har (${binary}); starta utan Electron: BROWSER_HOST=1 npm start.`);
  if (plan.use === 'project') return null;
  if (plan.use === 'build') {
    console.log(`Bygger de inbyggda modulerna för Electron ${electronVersion} (ABI ${abi}) i ${path.relative(root, plan.dir)}/ (en gång per Electron-version)…`);
    const { rebuild } = await import('@electron/rebuild');
    await prepareElectronApp(input, plan.dir, (o) => rebuild(o)).catch((e: unknown) =>
      fail(
        `De inbyggda modulerna kunde inte byggas för Electron ${electronVersion} (ABI ${abi}): ${(e as Error).message.split('\n')[0]}. Installera byggverktygen (docs/windows.md) eller starta utan Electron: BROWSER_HOST=1 npm start.`,
      ),
    );
  }
  copyBundles(root, plan.dir);
  return plan.dir;
}

/**
 * The workstation's own log (JSON lines, English, no personal data) goes to a file; its errors show
 * on the console as one Swedish line naming that file, as the embedded server's do.
 */
function workstationLog(file: string): (line: string) => void {
  mkdirSync(path.dirname(file), { recursive: true });
  return (line) => {
    appendFileSync(file, `${line}\n`);
    const level = (() => {
      try {
        return (JSON.parse(line) as { level?: unknown }).level;
      } catch {
        return 'error';
      }
    })();
    if (level === 'error') console.error(`[arbetsstation] fel: se ${path.relative(process.cwd(), file)}`);
  };
}

function fail(line: string): never {
  console.error(line);
  server?.child.kill();
  process.exit(1);
}
