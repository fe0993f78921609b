import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertCardFile, type InsertedCard } from '../../native/softcard';
import { axeViolations } from '../support/axe';
import { launchChromium } from '../support/chromium';
import { LIVE_WAIT_MS } from '../support/e2e-page';
import { startStack, type Stack } from '../support/stack';

/**
 * Two readers, two cards (a built-in reader and a USB reader, say): the login screen lists both
 * with their card status, the user picks one, the PIN goes to that card, and the choice is kept
 * for the workstation — through real pcscd with both vpcd readers and Debian Chromium.
 */
let stack: Stack;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
const cards: InsertedCard[] = [];

beforeAll(async () => {
  stack = await startStack('e2e_reader_choice');
  const sara = await stack.issueCard({ hsaId: 'SE2321000131-P000000000103', givenName: 'Sara', familyName: 'Nyström', pin: '123456' });
  const anna = await stack.issueCard({ hsaId: 'SE2321000131-P000000000101', givenName: 'Anna', familyName: 'Lindqvist', pin: '654321' });
  cards.push(await insertCardFile(sara, { port: 35963 }), await insertCardFile(anna, { port: 35964 }));
  browser = await launchChromium();
  page = browser.page;
});
afterAll(async () => {
  await Promise.all(cards.map((c) => c.close()));
  await browser?.close();
  await stack?.stop();
});

describe('choosing the card reader', () => {
  it('lists both readers with a card, asks the user to choose, and keeps the PIN field closed until then', async () => {
    await page.goto(stack.host.url);
    await expect.poll(() => page.getByRole('radio').count(), { timeout: LIVE_WAIT_MS }).toBe(2);
    expect(await page.getByText('Kort isatt').count()).toBe(2);
    await expect.poll(() => page.getByText('Det sitter kort i flera kortläsare. Välj vilken du vill logga in med.').count()).toBeGreaterThan(0);
    expect(await page.getByLabel('PIN-kod').isDisabled()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('logs in with the card in the reader the user picked, and keeps the choice for the workstation', async () => {
    await page.getByRole('radio', { name: 'Virtual PCD 00 01' }).check();
    await expect.poll(() => page.getByText('3 försök kvar innan kortet spärras.').count(), { timeout: LIVE_WAIT_MS }).toBe(1);
    expect(JSON.parse(readFileSync(path.join(stack.dataDir, 'card-reader.json'), 'utf8'))).toEqual({ reader: 'Virtual PCD 00 01' });
    await page.reload();
    await expect.poll(() => page.getByRole('radio', { name: 'Virtual PCD 00 01' }).isChecked(), { timeout: LIVE_WAIT_MS }).toBe(true);
    await page.getByLabel('PIN-kod').fill('654321');
    await page.getByRole('button', { name: 'Logga in' }).click();
    await expect.poll(() => page.getByText(/Anna Lindqvist/).count(), { timeout: LIVE_WAIT_MS }).toBeGreaterThan(0);
  });
});
