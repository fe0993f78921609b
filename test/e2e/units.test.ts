import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshotDir } from '../support/chromium';
import { startStack, type Stack } from '../support/stack';

let stack: Stack;
let browser: Awaited<ReturnType<typeof launchChromium>>;

beforeAll(async () => {
  stack = await startStack('e2e_units');
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('the walking skeleton in Chromium', () => {
  it('lists the demo organisation’s two units, fetched renderer → contract → main → server → PostgreSQL', async () => {
    const { page } = browser;
    await page.goto(stack.host.url);
    const list = page.getByRole('list', { name: 'Enheter' });
    await expect.poll(() => list.getByRole('listitem').count(), { timeout: 10_000 }).toBe(2);
    const text = await list.innerText();
    expect(text).toContain('Hemtjänst');
    expect(text).toContain('Daglig verksamhet');
    expect(await page.locator('html').getAttribute('lang')).toBe('sv');
    mkdirSync(screenshotDir, { recursive: true });
    await page.screenshot({ path: path.join(screenshotDir, 'units.png') });
  });

  it('shows a clear Swedish error, not a crash, when the page has no valid secret', async () => {
    const { page } = browser;
    await page.goto(stack.host.origin + '/?k=wrong');
    await expect.poll(() => page.getByRole('alert').innerText(), { timeout: 10_000 }).toContain('Servern går inte att nå');
  });
});
