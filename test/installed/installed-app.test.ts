import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICY_KEY } from '../../main/config/windows-policy';
import { prepareDemoCards } from '../../scripts/demo-cards';
import { startEmbeddedServer } from '../../scripts/embedded-server';

/**
 * The installed Windows app (.github/workflows/windows.yml, once per channel: the MSI per machine,
 * the NSIS installer per user, and the demo build for the login), started as IT deploys it — from its machine configuration (here a
 * temporary file through OMSORG_CONFIG, pointing at the embedded server on this computer, which the
 * installed app follows only under the machine-wide policy AllowConfigOverride this test sets in
 * HKLM\SOFTWARE\Policies\Omsorgsportalen and removes again: the runner is an administrator)
 * — with the built-in demo reader (DEMO_CARD, the separate demo bundle inside app.asar), and driven
 * through Chromium's DevTools protocol. Playwright's `_electron` needs the Node inspector, which the shipped fuses switch off
 * (electron-builder.yml), so the page is reached with `--remote-debugging-port` instead.
 * Runs only where OMSORG_INSTALLED_APP names the installed executable.
 */
const exe = process.env.OMSORG_INSTALLED_APP;
/** The demo build (the software card inside): login is driven; the production channels only start. */
const demoBuild = process.env.OMSORG_INSTALLED_DEMO === '1';
const root = path.resolve(import.meta.dirname, '..', '..');
let server: Awaited<ReturnType<typeof startEmbeddedServer>> | null = null;
let app: ChildProcess | null = null;
let cdp = '';
let policySet = false;
/** Windows' reg.exe by its full path (as the app reads the key: main/config/windows-policy.ts). */
const REG = path.win32.join('C:\\Windows', 'System32', 'reg.exe');
let pin = '';
let browser: Browser | null = null;
let page: Page;

describe.skipIf(!exe)(`the installed app${exe ? '' : ' — skipped: OMSORG_INSTALLED_APP is not set (the Windows workflow sets it)'}`, () => {
  beforeAll(async () => {
    const data = mkdtempSync(path.join(tmpdir(), 'installed-'));
    const demo = await prepareDemoCards({ pkiDir: path.join(data, 'pki'), cardsDir: path.join(data, 'cards') });
    server = await startEmbeddedServer({ root, dataDir: path.join(data, 'server'), env: demo.serverEnv });
    pin = demo.pin;
    const config = path.join(data, 'config.json');
    writeFileSync(config, JSON.stringify({ serverUrl: server.url, card: { type: 'pcsc' } }));
    execFileSync(REG, ['add', POLICY_KEY, '/v', 'AllowConfigOverride', '/t', 'REG_DWORD', '/d', '1', '/f', '/reg:64'], { stdio: 'inherit' });
    policySet = true;
    app = spawn(exe!, ['--remote-debugging-port=0'], { env: { ...process.env, OMSORG_CONFIG: config, ...(demoBuild ? { DEMO_CARD: demo.cards[0]! } : {}) }, stdio: ['ignore', 'ignore', 'pipe'] });
    cdp = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the app printed no DevTools endpoint within 60 s')), 60_000);
      createInterface({ input: app!.stderr! }).on('line', (line) => {
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    app?.kill();
    server?.child.kill();
    if (policySet) execFileSync(REG, ['delete', POLICY_KEY, '/v', 'AllowConfigOverride', '/f', '/reg:64'], { stdio: 'inherit' });
  });

  it('opens the workstation on app://workstation with the bridge, nothing of Node, and its version shown', async () => {
    const { chromium } = await import('playwright-core');
    browser = await chromium.connectOverCDP(cdp);
    page = browser.contexts()[0]!.pages().find((p) => p.url().startsWith('app://workstation/'))!;
    expect(page).toBeDefined();
    const globals = await page.evaluate(() => ({
      omsorg: typeof (window as unknown as { omsorg?: unknown }).omsorg,
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
    }));
    expect(globals).toEqual({ omsorg: 'object', require: 'undefined', process: 'undefined' });
    await page.getByText(/version \d+\.\d+\.\d+/i).first().waitFor({ timeout: 15_000 });
  });

  it.skipIf(!demoBuild)('logs in with the demo card in the built-in reader, writes a journal entry and shows it (the demo build)', async () => {
    await page.getByText('Kort isatt').first().waitFor({ timeout: 15_000 });
    await page.getByLabel('PIN-kod').fill(pin);
    await page.getByRole('button', { name: 'Logga in' }).click();
    await page.getByRole('navigation', { name: 'Huvudmeny' }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Brukare' }).click();
    const clients = page.getByRole('list', { name: 'Brukare' });
    await expect.poll(() => clients.getByRole('listitem').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await clients.getByRole('button').first().click();
    await page.getByRole('tab', { name: 'Journal' }).waitFor();
    const text = `Installerad app: besök ${Date.now()}`;
    await page.getByRole('button', { name: 'Ny journalanteckning' }).click();
    await page.getByLabel('Anteckning', { exact: true }).fill(text);
    await page.getByRole('button', { name: 'Spara anteckningen' }).click();
    const entry = page.getByRole('list', { name: 'Journalanteckningar, nyaste först' }).getByRole('listitem').filter({ hasText: text });
    await expect.poll(() => entry.count(), { timeout: 15_000 }).toBe(1);
    // Sent to the server: the "not sent" mark goes away.
    await expect.poll(() => entry.getByText('Ej skickat').count(), { timeout: 30_000 }).toBe(0);
  });
});
