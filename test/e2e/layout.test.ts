import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InsertedCard } from '../../native/softcard';
import { axeViolations } from '../support/axe';
import { launchChromium } from '../support/chromium';
import { loginWithCard, saveScreenshot, LIVE_WAIT_MS } from '../support/e2e-page';
import { startStack, type Stack } from '../support/stack';

/**
 * Every screen at the screen sizes of the PCs at a home-care office (issue 20's usability pass):
 * 1366×768 (the common laptop) and 1024×640 (an old one, or a window beside another). Logged in as
 * the IT contact person, who holds both units and the administrator role, so every menu entry is
 * there. Each screen, the client page's tabs and an open assignment must fit the width (no
 * sideways scrolling), keep every menu entry on screen, and stay accessible (axe). Screenshots go
 * to test-results/screenshots/layout-<width>-<screen>.png for a person to look at.
 */
const SIZES = [
  { width: 1366, height: 768 },
  { width: 1024, height: 640 },
];

let stack: Stack;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let card: InsertedCard | undefined;

beforeAll(async () => {
  stack = await startStack('e2e_layout');
  const peter = await stack.issueCard({ hsaId: 'SE2321000131-P000000000107', givenName: 'Peter', familyName: 'Svensson', pin: '123456' });
  browser = await launchChromium();
  page = browser.page;
  await page.setViewportSize(SIZES[0]!);
  await page.goto(stack.host.url);
  await saveScreenshot(page, `layout-${SIZES[0]!.width}-login`);
  card = await loginWithCard(page, peter);
  await menu().waitFor({ timeout: LIVE_WAIT_MS });
  // The first sync done: the inbox lists the demo assignments.
  await menu().getByRole('button', { name: /^Inkorg/ }).click();
  await assignments().getByRole('option').first().waitFor({ timeout: LIVE_WAIT_MS });
});
afterAll(async () => {
  await card?.close();
  await browser?.close();
  await stack?.stop();
});

const menu = () => page.getByRole('navigation', { name: 'Huvudmeny' });
const assignments = () => page.getByRole('listbox', { name: 'Uppdrag' });
/** A file-name part from a visible label: "Planer att följa upp" → planer-att-följa-upp (a badge's count dropped). */
const slug = (label: string) => label.toLowerCase().replace(/[0-9]+/g, '').trim().replace(/[^a-zåäö]+/g, '-');

/** What a person at that size would notice: sideways scrolling, a menu entry off screen, an axe finding. */
async function checkScreen(name: string, width: number): Promise<void> {
  await page.waitForLoadState('networkidle');
  await saveScreenshot(page, `layout-${width}-${name}`);
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  expect(scrollWidth, `${name} at ${width}px scrolls sideways`).toBeLessThanOrEqual(clientWidth);
  for (const item of await menu().getByRole('button').all()) {
    const box = await item.boundingBox();
    expect(box, `${name} at ${width}px: a menu entry is hidden`).not.toBeNull();
    expect(box!.x + box!.width, `${name} at ${width}px: "${await item.innerText()}" is off screen`).toBeLessThanOrEqual(width);
  }
  expect(await axeViolations(page), `${name} at ${width}px`).toEqual([]);
}

describe.each(SIZES)('at $width×$height', ({ width, height }) => {
  beforeAll(async () => {
    await page.setViewportSize({ width, height });
  });

  it('every screen of the menu fits, with every menu entry on screen', async () => {
    const entries = await menu().getByRole('button').count();
    expect(entries).toBeGreaterThanOrEqual(6);
    for (let i = 0; i < entries; i++) {
      const entry = menu().getByRole('button').nth(i);
      await entry.click();
      await expect.poll(() => entry.getAttribute('aria-current')).toBe('page');
      await checkScreen(slug(await entry.innerText()), width);
    }
  });

  it("a client's page fits on each of its tabs", async () => {
    await menu().getByRole('button', { name: 'Brukare' }).click();
    const list = page.getByRole('list', { name: 'Brukare' });
    await list.getByRole('button').first().click();
    await page.getByRole('tab').first().waitFor({ timeout: LIVE_WAIT_MS });
    const tabs = await page.getByRole('tab').allInnerTexts();
    expect(tabs.length).toBeGreaterThanOrEqual(2);
    for (const tab of tabs) {
      await page.getByRole('tab', { name: tab }).click();
      await checkScreen(`brukare-${slug(tab)}`, width);
    }
  });

  it('an open assignment fits', async () => {
    await menu().getByRole('button', { name: /^Inkorg/ }).click();
    await assignments().getByRole('option').first().click();
    await page.getByRole('heading', { level: 2 }).first().waitFor({ timeout: LIVE_WAIT_MS });
    await checkScreen('uppdrag-detalj', width);
    // The inbox remembers the open assignment: back to the list for the next size.
    await page.getByRole('button', { name: '← Tillbaka till inkorgen' }).click();
  });
});
