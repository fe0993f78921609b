import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { insertCardFile, type VpcdCard } from '../../native/softcard';
import { screenshotDir } from './chromium';

/** A full-page screenshot into test-results/screenshots/<name>.png. */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

/**
 * Puts the card file in the vpcd reader (port 35963, "Virtual PCD 00 00"), waits for the login
 * screen to see it, types the PIN and presses "Logga in". `close()` on the card pulls it.
 */
export async function loginWithCard(page: Page, cardFile: string, pin = '123456'): Promise<VpcdCard> {
  const card = await insertCardFile(cardFile, { port: 35963 });
  await page.getByText('Kort isatt').first().waitFor({ timeout: 10_000 });
  await page.getByLabel('PIN-kod').fill(pin);
  await page.getByRole('button', { name: 'Logga in' }).click();
  return card;
}

/**
 * At a workstation whose pcscd sees both vpcd readers: chooses `reader` (the card is already in
 * it), types the PIN and presses "Logga in".
 */
export async function loginAtReader(page: Page, reader: string, pin: string): Promise<void> {
  await expect.poll(() => page.getByRole('radio').count(), { timeout: 15_000 }).toBe(2);
  await page.getByRole('radio', { name: reader }).check();
  await expect.poll(() => page.getByLabel(/^PIN-kod/).isDisabled(), { timeout: 10_000 }).toBe(false);
  await page.getByLabel(/^PIN-kod/).fill(pin);
  await page.getByRole('button', { name: 'Logga in' }).click();
}

/**
 * How long an e2e waits for something that arrives live (SSE → pull → store → screen) before it
 * fails. A bound on a hang, not a figure: a test waits for the state it asserts, and how fast
 * it arrives is bench server's fan-out figure. Generous, for a busy two-core machine.
 */
export const LIVE_WAIT_MS = 60_000;
