import type { Page } from 'playwright-core';
import { insertCardFile, type InsertedCard } from '../../native/softcard';
import { launchChromium } from './chromium';
import { loginWithCard, LIVE_WAIT_MS } from './e2e-page';
import { startSecondWorkstation, type SecondWorkstation, type Stack } from './stack';

export interface TwoWorkstations {
  browser: Awaited<ReturnType<typeof launchChromium>>;
  /** The stack's workstation, logged in with the first card (reader "Virtual PCD 00 00"). */
  first: Page;
  /** A colleague's page, not yet opened: `goto(second.host.url)` and log in at "Virtual PCD 00 01". */
  secondPage: Page;
  second: SecondWorkstation;
  close(): Promise<void>;
}

/**
 * Two people at two workstations of one server, in one Chromium (e2e of what one writes and the
 * other sees by the sync): the first card logged in on the stack's workstation, the second card in
 * the second vpcd reader for a second workstation of its own. Both pages 1280×1000.
 */
export async function twoWorkstations(stack: Stack, first: { card: string; pin: string }, second: { card: string; name: string }): Promise<TwoWorkstations> {
  const cards: InsertedCard[] = [];
  const browser = await launchChromium();
  const page = browser.page;
  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.goto(stack.host.url);
  cards.push(await loginWithCard(page, first.card, first.pin));
  await page.getByRole('navigation').waitFor({ timeout: LIVE_WAIT_MS });
  cards.push(await insertCardFile(second.card, { port: 35964 }));
  const ws = await startSecondWorkstation(stack.serverUrl, second.name);
  const secondPage = await browser.context.newPage();
  await secondPage.setViewportSize({ width: 1280, height: 1000 });
  return {
    browser,
    first: page,
    secondPage,
    second: ws,
    close: async () => {
      await Promise.all(cards.map((c) => c.close()));
      await browser.close();
      await ws.close();
    },
  };
}
