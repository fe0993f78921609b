import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../support/axe';
import { launchChromium } from '../support/chromium';
import { LIVE_WAIT_MS } from '../support/e2e-page';
import { stopChild, threadStacks } from '../support/stop-child';

/**
 * `npm start` as a newcomer runs it, without a card reader of her own: the embedded server, the
 * browser host, and on the login screen the built-in demo reader beside the PC/SC readers (here
 * the two vpcd readers of the test pcscd) with the demo people and their roles; one click puts a
 * person's card in it, the demo PIN logs in. With a real server (SERVER_URL) there is no demo
 * reader. And every line the start prints is Swedish.
 */
const root = path.resolve(import.meta.dirname, '../..');

interface Started {
  child: ChildProcess;
  lines: string[];
  url: string;
  serverUrl: string;
  dataDir: string;
}

/** Every `npm start` child not yet ended, ready or not: the teardown stops them all. */
const spawned = new Set<ChildProcess>();

/** `npm start` (tsx scripts/start.ts) in the browser host, its console lines collected. */
async function npmStart(env: NodeJS.ProcessEnv): Promise<Started> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'npm-start-'));
  const { DEMO_CARD: _card, SERVER_URL: _server, PKCS11_MODULE: _p11, ...clean } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/start.ts')], {
    cwd: root,
    env: { ...clean, DATA_DIR: dataDir, BROWSER_HOST: '1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // A process group of its own, so that stopping it stops the embedded server it started too.
    detached: true,
  });
  spawned.add(child);
  child.once('exit', () => spawned.delete(child));
  const lines: string[] = [];
  const ready = new Promise<{ url: string; serverUrl: string }>((resolve, reject) => {
    let serverUrl = '';
    let url = '';
    child.once('exit', (code) => reject(new Error(`npm start ended (${code}):\n${lines.join('\n')}`)));
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        lines.push(line);
        const server = /^Server: (http:\/\/\S+)/.exec(line);
        if (server) serverUrl = server[1]!;
        const open = /^Öppna arbetsstationen: (http:\/\/\S+)/.exec(line);
        if (open) url = open[1]!;
        // Its last line: everything is printed and the workstation serves.
        if (line.startsWith('Klar på ')) resolve({ url, serverUrl });
      });
    }
  });
  const { url, serverUrl } = await ready;
  return { child, lines, url, serverUrl, dataDir };
}

/** Ctrl+C as a user would (SIGTERM); one that does not end within 15 s is killed, with its threads printed. */
async function stop(s: Started | undefined): Promise<void> {
  if (!s) return;
  await stopChild(s.child, { group: true, graceMs: 15_000, name: 'npm start' });
  rmSync(s.dataDir, { recursive: true, force: true });
}

/**
 * What `npm start` may print, every line Swedish: its own lines and the embedded server's
 * warnings (the console shows the server's warnings and errors only).
 */
const SWEDISH_LINES = [
  /^Bygger gränssnittet…$/,
  /^Server: http:\/\/\S+ \((extern|inbyggd; logg: \S+, varningar och fel visas här)\)$/,
  /^Electron kan inte startas här \(.+\); arbetsstationen serveras i stället via webbläsarvärden\.$/,
  /^Demokort \(PIN \d+\): \S+ m\.fl\. i \S+$/,
  /^Logga in: välj en demoperson på inloggningssidan \(kortet sätts i den inbyggda demoläsaren, DEMO ONLY\), eller sätt i ett demokort i vpcd-läsaren: npm run card:insert -- \S+$/,
  /^Öppna arbetsstationen: http:\/\/\S+$/,
  /^Klar på \d+\.\d s\. Avsluta med Ctrl\+C\.$/,
  /^\[server\] varning: KSI-listan: exempellista — inte Socialstyrelsens \(\d+ kod(er)?\): sätt KSI_LIST_FILE till Socialstyrelsens KSI-lista \(docs\/operations\.md\)$/,
  /^\[server\] varning: OCSP är avstängt: återkallade inloggningscertifikat godtas tills de går ut \(sätt OCSP=on i produktion, docs\/login\.md\)$/,
  // The workstation's own errors: the details in its log file.
  /^\[arbetsstation\] fel: se \S+workstation\.log$/,
];

let demo: Started;
let real: Started | undefined;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;

beforeAll(async () => {
  demo = await npmStart({});
  browser = await launchChromium();
  page = browser.page;
});
afterAll(async () => {
  await browser?.close();
  await stop(real);
  await stop(demo);
  for (const child of spawned) await stopChild(child, { group: true, name: 'npm start (never ready)' });
});

/**
 * A wait on the page that failed, with what tells a slow page from a stuck process: whether the
 * `npm start` process still answers HTTP (its event loop runs) and, if not, where its threads are.
 */
async function explained<T>(s: Started, wait: () => Promise<T>): Promise<T> {
  try {
    return await wait();
  } catch (e) {
    const answers = await fetch(s.url, { signal: AbortSignal.timeout(10_000) }).then(
      (r) => `answers HTTP (${r.status})`,
      async (f: unknown) => `does not answer HTTP within 10 s (${(f as Error).message}); its threads:\n${await threadStacks(s.child.pid!)}`,
    );
    (e as Error).message += `\nnpm start ${answers}\nits last lines:\n${s.lines.slice(-15).join('\n')}`;
    throw e;
  }
}

describe('npm start with the embedded server', () => {
  it('prints only Swedish lines', () => {
    const notSwedish = demo.lines.filter((l) => !SWEDISH_LINES.some((re) => re.test(l)));
    expect(notSwedish).toEqual([]);
    expect(demo.lines.some((l) => l.startsWith('[server] varning: OCSP är avstängt'))).toBe(true);
  });

  it('offers the built-in demo reader beside the PC/SC readers, with the demo people and their roles', async () => {
    await page.goto(demo.url);
    const readers = page.getByRole('region', { name: 'Kortläsare' });
    await explained(demo, async () => {
      await expect.poll(() => readers.getByText('Demo-läsare (in-process, DEMO ONLY)').count(), { timeout: LIVE_WAIT_MS }).toBe(1);
      await expect.poll(() => readers.getByText(/^Virtual PCD 00 0[01]$/).count(), { timeout: LIVE_WAIT_MS }).toBe(2);
    });
    const people = page.getByRole('region', { name: 'Demokort' });
    for (const [name, role] of [
      ['Peter Svensson', 'IT-kontaktperson, administratör (IT-kontaktperson)'],
      ['Sara Nyström', 'Undersköterska, superanvändare'],
      ['Anna Lindqvist', 'Undersköterska, personal'],
      ['Maria Ek', 'Biståndshandläggare, biståndshandläggare'],
    ]) {
      expect(await people.getByText(`${name} — ${role}`).count(), name).toBe(1);
    }
    // Nothing in the demo reader yet.
    const demoReader = readers.getByRole('listitem').filter({ hasText: 'Demo-läsare' });
    expect(await demoReader.textContent()).toBe('Demo-läsare (in-process, DEMO ONLY)Inget kort');
    expect(await axeViolations(page)).toEqual([]);
  }, 200_000); // two waits for state (LIVE_WAIT_MS each) and, on a failure, the look at the process

  it('puts the chosen person’s card in the demo reader, and the demo PIN logs her in with her role', async () => {
    await page.getByRole('button', { name: 'Sätt i kortet för Peter Svensson' }).click();
    await expect.poll(() => page.getByText('3 försök kvar innan kortet spärras.').count(), { timeout: LIVE_WAIT_MS }).toBe(1);
    expect(await page.getByRole('button', { name: 'Ta ut kortet för Peter Svensson' }).count()).toBe(1);
    await page.getByLabel('PIN-kod').fill('123456');
    await page.getByRole('button', { name: 'Logga in' }).click();
    await expect.poll(() => page.getByRole('navigation').getByText('Administration').count(), { timeout: LIVE_WAIT_MS }).toBe(1);
    expect(await page.getByText(/Peter Svensson/).count()).toBeGreaterThan(0);
    // After a login and the first sync, still only Swedish on the console.
    expect(demo.lines.filter((l) => !SWEDISH_LINES.some((re) => re.test(l)))).toEqual([]);
  });
});

describe('npm start with a real server (SERVER_URL)', () => {
  it('has no demo reader and lists no demo people', async () => {
    real = await npmStart({ SERVER_URL: demo.serverUrl });
    const notSwedish = real.lines.filter((l) => !SWEDISH_LINES.some((re) => re.test(l)));
    expect(notSwedish).toEqual([]);
    expect(real.lines.some((l) => l.startsWith('Demokort'))).toBe(false);
    const other = await launchChromium();
    try {
      await other.page.goto(real.url);
      const readers = other.page.getByRole('region', { name: 'Kortläsare' });
      await expect.poll(() => readers.getByText(/^Virtual PCD 00 0[01]$/).count(), { timeout: LIVE_WAIT_MS }).toBe(2);
      expect(await readers.getByText(/Demo-läsare/).count()).toBe(0);
      expect(await other.page.getByRole('region', { name: 'Demokort' }).count()).toBe(0);
      expect(await other.page.getByRole('button', { name: /Sätt i kortet/ }).count()).toBe(0);
    } finally {
      await other.close();
    }
  });
});
