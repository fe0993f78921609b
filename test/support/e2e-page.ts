import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { insertCardFile, type InsertedCard } from '../../native/softcard';
import type { Db } from '../../server/db';
import { launchChromium, screenshotDir } from './chromium';
import { LIVE_WAIT_MS } from './wait';

/** A full-page screenshot into test-results/screenshots/<name>.png. */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

/**
 * Puts the card file in the vpcd reader (port 35963, "Virtual PCD 00 00"), waits for the login
 * screen to see it, types the PIN and presses "Logga in". `close()` on the card pulls it.
 */
export async function loginWithCard(page: Page, cardFile: string, pin = '123456'): Promise<InsertedCard> {
  const card = await insertCardFile(cardFile, { port: 35963 });
  await page.getByText('Kort isatt').first().waitFor({ timeout: LIVE_WAIT_MS });
  await page.getByLabel('PIN-kod').fill(pin);
  await page.getByRole('button', { name: 'Logga in' }).click();
  return card;
}

/**
 * At a workstation whose pcscd sees both vpcd readers: chooses `reader` (the card is already in
 * it), types the PIN and presses "Logga in".
 */
export async function loginAtReader(page: Page, reader: string, pin: string): Promise<void> {
  await expect.poll(() => page.getByRole('radio').count(), { timeout: LIVE_WAIT_MS }).toBe(2);
  await page.getByRole('radio', { name: reader }).check();
  await expect.poll(() => page.getByLabel(/^PIN-kod/).isDisabled(), { timeout: LIVE_WAIT_MS }).toBe(false);
  await page.getByLabel(/^PIN-kod/).fill(pin);
  await page.getByRole('button', { name: 'Logga in' }).click();
}

/** The bound on a wait for a state (test/support/wait.ts), here for the e2e files that import it from this module. */
export { LIVE_WAIT_MS } from './wait';

/** Chromium on the browser host's page (1280×900), for the e2e tests that log in without a card. */
export async function openHostPage(url: string): Promise<Awaited<ReturnType<typeof launchChromium>>> {
  const browser = await launchChromium();
  await browser.page.setViewportSize({ width: 1280, height: 900 });
  await browser.page.goto(url);
  return browser;
}

/** The clients of the units the person (by HSA-ID) has a permission on today, as the list names them. */
export async function clientsOf(db: Db, hsaId: string): Promise<{ given: string; family: string }[]> {
  const { rows } = await db.query<{ given_name: string; family_name: string }>(
    `SELECT c.given_name, c.family_name FROM clients c JOIN permissions p ON p.unit_id = c.unit_id JOIN staff s ON s.id = p.staff_id
      WHERE s.hsa_id = $1 AND p.valid_from <= current_date AND (p.valid_to IS NULL OR p.valid_to >= current_date)`,
    [hsaId],
  );
  expect(rows.length).toBeGreaterThan(0);
  return rows.map((r) => ({ given: r.given_name, family: r.family_name }));
}

/** No client of these is named anywhere on the page. */
export async function expectNoClientNamed(page: Page, clients: { given: string; family: string }[]): Promise<void> {
  const text = await page.locator('body').innerText();
  for (const c of clients) {
    expect(text).not.toContain(`${c.family}, ${c.given}`);
    expect(text).not.toContain(`${c.given} ${c.family}`);
  }
}

/**
 * A session at LoA2 opens "Brukare": the screen is closed, says why (client data needs LoA3) and how
 * to get in (the card, or e-legitimation at a higher level); no list of clients, none of hers named.
 */
export async function expectClientsClosedAtLoa2(page: Page, clients: { given: string; family: string }[]): Promise<void> {
  await page.getByRole('navigation').getByRole('button', { name: /^Brukare/ }).click();
  await page.getByRole('heading', { name: 'Stängt på din tillitsnivå' }).waitFor({ timeout: LIVE_WAIT_MS });
  await page.getByText('Det här innehåller brukaruppgifter och kräver tillitsnivå 3. Din inloggning har tillitsnivå 2.').waitFor();
  await page.getByText('Logga in med ditt e-tjänstekort (SITHS), eller med e-legitimation på högre tillitsnivå:', { exact: false }).waitFor();
  expect(await page.getByRole('list', { name: 'Brukare' }).count()).toBe(0);
  await expectNoClientNamed(page, clients);
}
