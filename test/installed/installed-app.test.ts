import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareDemoCards } from '../../scripts/demo-cards';
import { startEmbeddedServer } from '../../scripts/embedded-server';

/**
 * The installed Windows app (.github/workflows/windows.yml): the per-machine NSIS install, started
 * as IT deploys it — from its machine configuration (here a temporary file through OMSORG_CONFIG,
 * pointing at the embedded server on this computer) — and driven through Chromium's DevTools
 * protocol. Playwright's `_electron` needs the Node inspector, which the shipped fuses switch off
 * (electron-builder.yml), so the page is reached with `--remote-debugging-port` instead.
 * Runs only where OMSORG_INSTALLED_APP names the installed executable.
 */
const exe = process.env.OMSORG_INSTALLED_APP;
const root = path.resolve(import.meta.dirname, '..', '..');
let server: Awaited<ReturnType<typeof startEmbeddedServer>> | null = null;
let app: ChildProcess | null = null;
let cdp = '';

describe.skipIf(!exe)(`the installed app${exe ? '' : ' — skipped: OMSORG_INSTALLED_APP is not set (the Windows workflow sets it)'}`, () => {
  beforeAll(async () => {
    const data = mkdtempSync(path.join(tmpdir(), 'installed-'));
    const demo = await prepareDemoCards({ pkiDir: path.join(data, 'pki'), cardsDir: path.join(data, 'cards') });
    server = await startEmbeddedServer({ root, dataDir: path.join(data, 'server'), env: demo.serverEnv });
    const config = path.join(data, 'config.json');
    writeFileSync(config, JSON.stringify({ serverUrl: server.url, card: { type: 'pcsc' } }));
    app = spawn(exe!, ['--remote-debugging-port=0'], { env: { ...process.env, OMSORG_CONFIG: config, DEMO_CARD: demo.cards[0]! }, stdio: ['ignore', 'ignore', 'pipe'] });
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
  afterAll(() => {
    app?.kill();
    server?.child.kill();
  });

  it('opens the workstation on app://workstation with the bridge, nothing of Node, and its version shown', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.connectOverCDP(cdp);
    try {
      const page = browser.contexts()[0]!.pages().find((p) => p.url().startsWith('app://workstation/'))!;
      expect(page).toBeDefined();
      const globals = await page.evaluate(() => ({
        omsorg: typeof (window as unknown as { omsorg?: unknown }).omsorg,
        require: typeof (window as unknown as { require?: unknown }).require,
        process: typeof (window as unknown as { process?: unknown }).process,
      }));
      expect(globals).toEqual({ omsorg: 'object', require: 'undefined', process: 'undefined' });
      await page.getByText(/version \d+\.\d+\.\d+/i).first().waitFor({ timeout: 15_000 });
    } finally {
      await browser.close();
    }
  });
});
