import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPersonnummer, swedishDate, type Assignment } from '#contract';
import type { InsertedCard } from '../../native/softcard';
import { launchChromium } from '../support/chromium';
import { loginWithCard, saveScreenshot, LIVE_WAIT_MS } from '../support/e2e-page';
import { officerLogin, type Officer } from '../support/officer';
import { pdfText } from '../support/pdf-text';
import { startStack, type Stack } from '../support/stack';

/**
 * Issue 32, points 7–9 and 12, as a tired person at a home-care office meets them, at 1366×768 and
 * 1024×640, logged in as the IT contact person (both units, the administrator's screens):
 * - the inbox shows ≥ 10 whole rows at 1366×768 and ≥ 6 at 1024×640 with the notice banner up;
 *   the banners are one line each and can be closed for the session;
 * - one Tab reaches the skip link, Enter puts focus on the inbox list;
 * - after Kvittera and Fördela focus stays in the assignment's actions, not on the page body;
 *   an executed assignment offers "Ändra verkställighetsdatum", not Verkställ;
 * - the compose form names the client and the assignment and checks no recipient for the user; the
 *   thread list shows the counterpart and a preview; "Visa" in the notice opens the thread itself;
 * - the access-log search says what is wrong with a personnummer (check digit, 10 digits, a name),
 *   says what it searched for, and its exports name their folder and hold Swedish time and names;
 * - the administrator's role is beside the name; a browser validation message is Swedish.
 * Screenshots: test-results/screenshots/mistakes-ui-<width>-<what>.png.
 */
const SIZES = [
  { width: 1366, height: 768, rows: 10 },
  { width: 1024, height: 640, rows: 6 },
] as const;
const REF = `BIS-MISS-${Date.now() % 100_000}`;

let stack: Stack;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let card: InsertedCard | undefined;
let officer: Officer;
let assignment: Assignment;

const menu = () => page.getByRole('navigation', { name: 'Huvudmeny' });
const list = () => page.getByRole('listbox', { name: 'Uppdrag' });
const action = (name: string) => page.locator('.action-buttons').getByRole('button', { name, exact: true });
/** What has focus: its tag, and whether it is inside the open assignment. */
const focused = () =>
  page.evaluate(() => {
    const el = document.activeElement;
    return { tag: el?.tagName ?? 'NONE', text: (el as HTMLElement | null)?.innerText?.slice(0, 60) ?? '', inDetail: !!el?.closest('.assignment-detail') };
  });

/** Rows of the inbox list wholly visible: inside the list's box and inside the window. */
async function visibleRows(): Promise<number> {
  return page.evaluate(() => {
    const listBox = document.querySelector('[role="listbox"]')!.getBoundingClientRect();
    const bottom = Math.min(listBox.bottom, window.innerHeight);
    return [...document.querySelectorAll('[role="listbox"] [role="option"]')].filter((o) => {
      const r = o.getBoundingClientRect();
      return r.top >= listBox.top - 0.5 && r.bottom <= bottom + 0.5 && r.height > 0;
    }).length;
  });
}

async function openInbox(): Promise<void> {
  await menu().getByRole('button', { name: /^Inkorg/ }).click();
  if (await page.getByRole('button', { name: '← Tillbaka till inkorgen' }).count()) await page.getByRole('button', { name: '← Tillbaka till inkorgen' }).click();
  await list().getByRole('option').first().waitFor({ timeout: LIVE_WAIT_MS });
}

beforeAll(async () => {
  stack = await startStack('e2e_mistakes_ui', { serverSync: { coalesceMs: 20 } });
  const peter = await stack.issueCard({ hsaId: 'SE2321000131-P000000000107', givenName: 'Peter', familyName: 'Svensson', pin: '123456' });
  const maria = await stack.issueCard({ hsaId: 'SE2120001355-P000000000201', givenName: 'Maria', familyName: 'Ek' });
  officer = await officerLogin(stack.serverUrl, maria);
  const { rows } = await stack.db.query<{ personnummer: string }>(
    `SELECT c.personnummer FROM clients c JOIN units u ON u.id = c.unit_id WHERE u.name = 'Hemtjänst Majorna' ORDER BY c.family_name LIMIT 1`,
  );
  assignment = await officer.send({
    client: { personnummer: rows[0]!.personnummer.trim() },
    decision: { reference: REF, date: swedishDate(new Date(), -5) },
    services: [{ name: 'Hemtjänst – ledsagning', grantedHours: 4, per: 'month' }],
    startDate: swedishDate(new Date(), -3),
    freeText: '',
  });
  browser = await launchChromium();
  page = browser.page;
  await page.setViewportSize(SIZES[0]);
  await page.goto(stack.host.url);
  card = await loginWithCard(page, peter);
  await menu().waitFor({ timeout: LIVE_WAIT_MS });
  await openInbox();
}, 120_000);
afterAll(async () => {
  await card?.close();
  await browser?.close();
  await stack?.stop();
});

describe('layout: the inbox with a notice up', () => {
  it.each(SIZES)('at $width×$height: ≥ $rows whole rows, the banners one line each', async ({ width, height, rows }) => {
    await page.setViewportSize({ width, height });
    await openInbox();
    const banner = page.getByRole('complementary', { name: 'Meddelande från anslagstavlan' });
    await banner.first().waitFor({ timeout: LIVE_WAIT_MS });
    await expect.poll(visibleRows, { timeout: LIVE_WAIT_MS }).toBeGreaterThanOrEqual(rows);
    const banners = await page.locator('.app-banners').boundingBox();
    expect(banners!.height, 'the banners take one line each').toBeLessThanOrEqual(2 * 40 + 8);
    const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    await saveScreenshot(page, `mistakes-ui-${width}-inbox-with-notice`);
    console.log(`mistakes-ui: ${await visibleRows()} whole inbox rows at ${width}×${height} with the notice up`);
  });

  it('the administrator’s role is beside the name in the header', async () => {
    expect(await page.locator('.app-user-name').innerText()).toMatch(/Peter Svensson, .*· Administratör/);
  });

  it('one Tab reaches the skip link; Enter puts focus on the inbox list', async () => {
    await page.setViewportSize(SIZES[0]);
    // Focus the document itself: the next Tab starts from the top of the page.
    await page.evaluate(() => {
      document.body.tabIndex = -1;
      document.body.focus();
      document.body.removeAttribute('tabindex');
    });
    await page.keyboard.press('Tab');
    expect((await focused()).text).toBe('Hoppa till innehållet');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Uppdrag');
  });

  it('a banner closed stays closed for the session (the notice stays on the board)', async () => {
    const banner = page.getByRole('complementary', { name: 'Meddelande från anslagstavlan' });
    await banner.first().getByRole('button', { name: /^Stäng meddelandet/ }).click();
    await expect.poll(() => banner.count()).toBe(0);
    await menu().getByRole('button', { name: 'Anslagstavla' }).click();
    await page.getByText('Planerat driftstopp').first().waitFor();
    await openInbox();
    expect(await banner.count()).toBe(0);
    await expect.poll(visibleRows).toBeGreaterThanOrEqual(10);
  });
});

describe('the assignment’s actions keep the focus; Verkställ is not offered twice', () => {
  it('Kvittera, then Fördela: focus stays on the next step in the assignment, never the page body', async () => {
    await page.getByLabel('Brukare', { exact: true }).fill(formatPersonnummer(assignment.client.personnummer));
    await page.getByRole('combobox', { name: 'Sortera' }).selectOption({ label: 'Senast mottagna' });
    await list().getByRole('option', { name: /Ny/ }).first().click();
    await page.getByText(REF).first().waitFor({ timeout: LIVE_WAIT_MS });

    await action('Kvittera').click();
    await expect.poll(() => action('Kvittera').count(), { timeout: LIVE_WAIT_MS }).toBe(0);
    await expect.poll(focused).toMatchObject({ tag: 'BUTTON', text: 'Fördela', inDetail: true });

    await action('Fördela').click();
    const form = page.getByRole('form', { name: 'Fördela' });
    await expect.poll(() => form.getByRole('button', { name: 'Fördela' }).isDisabled(), { timeout: LIVE_WAIT_MS }).toBe(false);
    await form.getByRole('button', { name: 'Fördela' }).click();
    await expect.poll(() => form.count(), { timeout: LIVE_WAIT_MS }).toBe(0);
    await expect.poll(focused).toMatchObject({ tag: 'BUTTON', text: 'Verkställ', inDetail: true });
  });

  it('after Verkställ the button says "Ändra verkställighetsdatum"', async () => {
    await action('Verkställ').click();
    const form = page.getByRole('form', { name: 'Verkställ' });
    await form.getByRole('button', { name: 'Verkställ' }).click();
    await expect.poll(() => page.locator('.assignment-detail .status').first().innerText(), { timeout: LIVE_WAIT_MS }).toBe('Verkställd');
    expect(await action('Verkställ').count()).toBe(0);
    expect(await action('Ändra verkställighetsdatum').count()).toBe(1);
    expect((await focused()).tag).not.toBe('BODY');
    await saveScreenshot(page, 'mistakes-ui-1366-executed');
  });
});

describe('messages: who, about whom, and the thread itself', () => {
  it('the compose form names the client and the assignment and has no recipient chosen', async () => {
    await page.getByRole('button', { name: 'Skriv ett meddelande om detta' }).click();
    const about = page.locator('.message-about');
    await expect.poll(() => about.innerText(), { timeout: LIVE_WAIT_MS }).toContain(formatPersonnummer(assignment.client.personnummer));
    expect(await about.innerText()).toContain(`${assignment.client.givenName} ${assignment.client.familyName}`);
    expect(await about.innerText()).toContain('uppdraget Hemtjänst – ledsagning');
    expect(await page.getByRole('checkbox', { name: /^Enhetens inkorg/ }).isChecked()).toBe(false);
    await page.getByLabel('Ämne').fill('Nyckeln');
    await page.getByLabel('Meddelande', { exact: true }).fill('Var finns nyckeln?');
    await page.getByRole('button', { name: 'Skicka' }).click();
    await page.getByRole('alert').getByText('Välj minst en mottagare').waitFor();
    await saveScreenshot(page, 'mistakes-ui-1366-compose');
    await page.getByRole('button', { name: 'Avbryt' }).click();
  });

  it('"Visa" in the notice opens the thread; the list shows the counterpart and a preview', async () => {
    const subject = `Nyckelgömman ${REF}`;
    await officer.messages.start({ subject, text: 'Nyckeln ligger i nyckelgömman vid dörren, kod 1234.', assignmentId: assignment.id });
    const notice = page.getByRole('status').filter({ hasText: 'Nytt meddelande har kommit' });
    await notice.waitFor({ timeout: LIVE_WAIT_MS });
    await notice.getByRole('button', { name: 'Visa' }).click();
    await page.getByRole('heading', { name: subject, level: 2 }).waitFor({ timeout: LIVE_WAIT_MS });
    await page.getByRole('button', { name: '← Alla samtal' }).click();
    const item = page.getByRole('list', { name: 'Samtal' }).getByRole('button', { name: new RegExp(subject) });
    await item.waitFor({ timeout: LIVE_WAIT_MS });
    const text = await item.innerText();
    expect(text).toMatch(/Med .*Maria Ek/);
    expect(text).toContain('Maria Ek: Nyckeln ligger i nyckelgömman');
    expect(text).toContain(`Gäller ${assignment.client.givenName} ${assignment.client.familyName}`);
    await saveScreenshot(page, 'mistakes-ui-1366-threads');
  });
});

describe('the access-log search says what it did', () => {
  const search = async (pnr: string) => {
    const form = page.getByRole('form', { name: 'Riktad sökning' });
    await form.getByLabel('Brukarens personnummer').fill(pnr);
    await form.getByRole('button', { name: 'Sök' }).click();
  };

  it('a wrong check digit, 10 digits or a name: a Swedish message saying what is wrong, not "Inga träffar."', async () => {
    await menu().getByRole('button', { name: 'Administration' }).click();
    await page.getByRole('tab', { name: 'Logguppföljning' }).click();
    for (const [typed, says] of [
      ['19121212-1213', 'Kontrollsiffran'],
      ['121212-1212', 'Personnumret har 10 siffror'],
      ['Tolvan Tolvansson', 'Sökning på namn finns inte här'],
    ] as const) {
      await search(typed);
      await expect.poll(() => page.locator('#log-pnr-problem').innerText(), { timeout: LIVE_WAIT_MS }).toContain(says);
      expect(await page.getByText('Inga träffar.').count()).toBe(0);
    }
  });

  it('a valid one: "Sökte efter …" with the hits; the exports name their folder, in Swedish time with Swedish names', async () => {
    await search('19121212-1212');
    await page.getByText('Sökte efter brukare med personnummer 19121212-1212.').waitFor({ timeout: LIVE_WAIT_MS });
    await saveScreenshot(page, 'mistakes-ui-1366-log-search');
    await page.getByRole('button', { name: 'Exportera CSV' }).click();
    const saved = page.getByRole('status').filter({ hasText: 'Exporten är sparad i mappen' });
    await saved.waitFor({ timeout: LIVE_WAIT_MS });
    const m = /i mappen (.+) som (\S+\.csv)\./.exec(await saved.innerText())!;
    const csv = readFileSync(path.join(m[1]!, m[2]!), 'utf8');
    expect(csv).toContain('Tid (svensk tid)');
    expect(csv).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    expect(csv).not.toMatch(/;(access_log|day_notes|journal);/);
    // The first search for the client is itself in the log: its record type by its Swedish name.
    expect(csv).toContain(';Åtkomstloggen;');

    await page.getByRole('button', { name: 'Exportera PDF' }).click();
    const pdfSaved = page.getByRole('status').filter({ hasText: /som \S+\.pdf/ });
    await pdfSaved.waitFor({ timeout: LIVE_WAIT_MS });
    const p = /i mappen (.+) som (\S+\.pdf)\./.exec(await pdfSaved.innerText())!;
    const text = await pdfText(path.join(p[1]!, p[2]!));
    expect(text).not.toMatch(/Post: (access_log|day_notes|journal)\b/);
  });

  it('an empty required field gets the browser’s message in Swedish', async () => {
    const summary = page.getByLabel('Sammanfattning av granskningen');
    await page.getByRole('button', { name: 'Spara granskning' }).click();
    expect(await summary.evaluate((el: HTMLTextAreaElement) => el.validationMessage)).toBe('Fyll i det här fältet.');
  });
});
