import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Debian's Chromium driven by playwright-core (Playwright's own browser download is not reachable
 * here). A fresh profile each time, and no background networking: this machine has no network.
 */
export async function launchChromium(): Promise<{ context: BrowserContext; page: Page; newWindow(): Promise<Page>; close(): Promise<void> }> {
  const profile = mkdtempSync(path.join(tmpdir(), 'chromium-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1280, height: 800 },
    locale: 'sv-SE',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    /**
     * Another page, in a window of its own (for a second person at the same browser). Not
     * `context.newPage()`: that opens a tab, and Debian's Chromium (the new headless mode) then
     * renders only the active tab, so every click, check and screenshot on the other page waited
     * about 2 s for an animation frame (Playwright's "stable" check) — 15–20 s a test in
     * deviations, consents, incidents, admin and support.
     */
    newWindow: async () => {
      const cdp = await context.newCDPSession(page);
      try {
        const opened = context.waitForEvent('page');
        await cdp.send('Target.createTarget', { url: 'about:blank', newWindow: true });
        return await opened;
      } finally {
        await cdp.detach();
      }
    },
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export const screenshotDir = path.resolve(import.meta.dirname, '../../test-results/screenshots');
