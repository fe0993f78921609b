import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Assignment } from '#contract';
import { swedishDate } from '#contract';
import { formatPersonnummer } from '#contract';
import type { InsertedCard } from '../../native/softcard';
import { axeViolations } from '../support/axe';
import { launchChromium } from '../support/chromium';
import { LIVE_WAIT_MS, loginWithCard, saveScreenshot } from '../support/e2e-page';
import { officerLogin, type Officer } from '../support/officer';
import { startStack, type Stack } from '../support/stack';

/**
 * The assignment inbox end to end: the case officer sends over the server's API → the staff member
 * (Anna, Hemtjänst Majorna), logged in with her card through pcscd, sees it in Chromium without reloading (the test waits for the state; how fast is bench server's fan-out figure)
 * (SSE → pull → store → data.changed → the inbox reloads) → confirms → distributes → executes with
 * a date → the officer sees the date; pause and resume; a cancellation by the officer reaching the open detail;
 * the cancellation confirmed.
 */
let stack: Stack;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let card: InsertedCard | undefined;
let officer: Officer;
let sent: Assignment;
let clientName = '';
const REF = `BIS-E2E-${Date.now() % 100_000}`;

const shot = (name: string) => saveScreenshot(page, name);
const detailStatus = () => page.locator('.detail-facts .status').innerText();
const form = (name: string) => page.getByRole('form', { name });
const action = (name: string) => page.locator('.action-buttons').getByRole('button', { name, exact: true });

beforeAll(async () => {
  stack = await startStack('e2e_inbox', { serverSync: { coalesceMs: 20 } });
  const anna = await stack.issueCard({ hsaId: 'SE2321000131-P000000000101', givenName: 'Anna', familyName: 'Lindqvist', pin: '123456' });
  const maria = await stack.issueCard({ hsaId: 'SE2120001355-P000000000201', givenName: 'Maria', familyName: 'Ek' });
  officer = await officerLogin(stack.serverUrl, maria);
  browser = await launchChromium();
  page = browser.page;
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(stack.host.url);
  card = await loginWithCard(page, anna);
  await page.getByRole('navigation').waitFor({ timeout: LIVE_WAIT_MS });
});
afterAll(async () => {
  await card?.close();
  await browser?.close();
  await stack?.stop();
});

describe('the assignment inbox in Chromium', () => {
  it('shows the synced inbox with counts per status and a badge for what needs action', async () => {
    await page.getByRole('button', { name: /^Inkorg/ }).click();
    const list = page.getByRole('listbox', { name: 'Uppdrag' });
    await expect.poll(() => list.getByRole('option').count(), { timeout: LIVE_WAIT_MS }).toBeGreaterThan(0);
    for (const label of ['Nya', 'Kvitterade', 'Verkställda', 'Pausade', 'Avbeställda', 'Avslutade']) {
      expect(await page.getByRole('button', { name: new RegExp(`^${label} \\d+$`) }).count()).toBe(1);
    }
    await expect.poll(() => page.locator('.app-nav .badge').count()).toBe(1);
  });

  it('a new assignment from the case officer appears live, without reloading, with a notice', async () => {
    const { rows } = await stack.db.query<{ personnummer: string; given_name: string; family_name: string }>(
      `SELECT c.personnummer, c.given_name, c.family_name FROM clients c JOIN units u ON u.id = c.unit_id
        WHERE u.name = 'Hemtjänst Majorna' ORDER BY c.family_name LIMIT 1`,
    );
    const client = rows[0]!;
    clientName = `${client.given_name} ${client.family_name}`;
    const badgeBefore = Number(await page.locator('.app-nav .badge').innerText());
    sent = await officer.send({
      client: { personnummer: client.personnummer.trim() },
      decision: { reference: REF, date: swedishDate(new Date(), -5) },
      services: [{ name: 'Hemtjänst – personlig omvårdnad', grantedHours: 20, per: 'month' }],
      startDate: swedishDate(new Date(), -3),
      freeText: 'Hjälp med morgonrutiner och inköp.',
    });
    // Waits for the state, not a time: how fast it arrives is bench server's fan-out figure.
    await page.getByText('Nytt att hantera har kommit till inkorgen').waitFor({ timeout: LIVE_WAIT_MS });
    const first = page.getByRole('listbox', { name: 'Uppdrag' }).getByRole('option').first();
    await expect.poll(() => first.innerText(), { timeout: LIVE_WAIT_MS }).toContain(clientName);
    expect(await first.innerText()).toContain('Ny');
    await expect.poll(() => page.locator('.app-nav .badge').innerText()).toBe(String(badgeBefore + 1));
    await shot('inbox');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('filters by client and status, and moves with the keyboard; Enter opens the detail', async () => {
    await page.getByLabel('Brukare', { exact: true }).fill(formatPersonnummer(sent.client.personnummer));
    await page.getByRole('button', { name: /^Nya \d+$/ }).click();
    const list = page.getByRole('listbox', { name: 'Uppdrag' });
    await expect.poll(() => list.getByRole('option').count()).toBeGreaterThan(0);
    await expect.poll(async () => (await list.getByRole('option').allInnerTexts()).every((t) => t.includes(clientName) && t.includes('Ny'))).toBe(true);
    await list.focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 2, name: new RegExp(clientName) }).waitFor({ timeout: LIVE_WAIT_MS });
    expect(await page.getByText(REF).count()).toBeGreaterThan(0);
  });

  it('shows client, decision, services, free text and history; the detail passes axe', async () => {
    // Open exactly the one the officer sent (the filter may show others of the same client).
    await page.getByRole('button', { name: '← Tillbaka till inkorgen' }).click();
    await page.getByRole('listbox', { name: 'Uppdrag' }).waitFor();
    await page.evaluate(() => undefined);
    await openSent();
    expect(await page.getByText('Hemtjänst – personlig omvårdnad: 20 tim/månad').count()).toBe(1);
    expect(await page.getByText('Hjälp med morgonrutiner och inköp.').count()).toBe(1);
    expect(await page.getByRole('list', { name: 'Historik' }).innerText()).toContain('Uppdraget skickat – Maria Ek');
    await shot('inbox-detail');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('confirms, distributes, executes with a date; the officer sees the execution date', async () => {
    await action('Kvittera').click();
    await expect.poll(detailStatus, { timeout: LIVE_WAIT_MS }).toBe('Kvitterad');
    await action('Fördela').click();
    await form('Fördela').getByLabel('Till enhet').selectOption({ label: 'Hemtjänst Majorna' });
    await form('Fördela').getByRole('checkbox', { name: 'Anna Lindqvist, Undersköterska' }).check();
    await form('Fördela').getByRole('button', { name: 'Fördela' }).click();
    await expect.poll(() => page.getByRole('list', { name: 'Historik' }).innerText(), { timeout: LIVE_WAIT_MS }).toContain('Uppdraget fördelat');
    const { rows: annaRow } = await stack.db.query<{ id: string }>(`SELECT id FROM staff WHERE hsa_id = 'SE2321000131-P000000000101'`);
    expect((await officer.get(sent.id)).distributedTo?.staffIds).toEqual([annaRow[0]!.id]);
    await action('Verkställ').click();
    expect(await form('Verkställ').getByLabel('Verkställighetsdatum').inputValue()).toBe(swedishDate());
    await form('Verkställ').getByLabel('Verkställighetsdatum').fill(swedishDate(new Date(), -1));
    await form('Verkställ').getByRole('button', { name: 'Verkställ' }).click();
    await expect.poll(detailStatus, { timeout: LIVE_WAIT_MS }).toBe('Verkställd');
    expect((await officer.get(sent.id)).executionDate).toBe(swedishDate(new Date(), -1));
    expect(await page.getByRole('list', { name: 'Historik' }).innerText()).toContain('Uppdraget verkställt – Anna Lindqvist');
  });

  it('pauses with a reason and resumes', async () => {
    await action('Pausa (avbrott)').click();
    await form('Pausa (avbrott)').getByLabel('Orsak').fill('Sjukhusvistelse');
    await form('Pausa (avbrott)').getByRole('button', { name: 'Pausa (avbrott)' }).click();
    await expect.poll(detailStatus, { timeout: LIVE_WAIT_MS }).toBe('Pausad');
    expect((await officer.get(sent.id)).pauses).toEqual([{ from: swedishDate(), to: null, reason: 'Sjukhusvistelse' }]);
    await action('Återuppta').click();
    await form('Återuppta').getByRole('button', { name: 'Återuppta' }).click();
    await expect.poll(detailStatus, { timeout: LIVE_WAIT_MS }).toBe('Verkställd');
  });

  it('the officer cancels while the detail is open: it follows, offers only the confirmation; then the cancellation is confirmed', async () => {
    // The Avsluta form is open when the officer cancels: the detail follows the sync, and ending is no longer offered.
    await action('Avsluta').click();
    await form('Avsluta').waitFor();
    await officer.act(sent.id, { type: 'cancel', reason: 'Brukaren har flyttat' });
    await page.getByText('handläggaren har avbeställt uppdraget').waitFor({ timeout: LIVE_WAIT_MS });
    expect(await action('Avsluta').count()).toBe(0);
    expect(await form('Avsluta').count()).toBe(0);
    await shot('inbox-cancelled-while-open');
    expect(await axeViolations(page)).toEqual([]);
    await action('Bekräfta avbeställning').click();
    await expect.poll(() => page.getByRole('list', { name: 'Historik' }).innerText(), { timeout: LIVE_WAIT_MS }).toContain('Avbeställningen bekräftad');
    expect(await detailStatus()).toBe('Avbeställd');
    expect((await officer.get(sent.id)).status).toBe('cancelled');
    expect(await page.getByText('Inga fler åtgärder kan göras').count()).toBe(1);
    // Back in the list, it is among the Avbeställda.
    await page.getByRole('button', { name: '← Tillbaka till inkorgen' }).click();
    await page.getByRole('button', { name: /^Avbeställda \d+$/ }).click();
    await expect.poll(() => page.getByRole('listbox', { name: 'Uppdrag' }).getByRole('option').first().innerText()).toContain('Avbeställd');
  });
});

/** Filters by the sent assignment's client, then opens the option whose detail carries its decision reference. */
async function openSent(): Promise<void> {
  const list = page.getByRole('listbox', { name: 'Uppdrag' });
  await page.getByLabel('Brukare', { exact: true }).fill(formatPersonnummer(sent.client.personnummer));
  await page.getByRole('combobox', { name: 'Sortera' }).selectOption({ label: 'Senast mottagna' });
  await expect.poll(() => list.getByRole('option').first().innerText()).toContain(clientName);
  await list.getByRole('option').first().click();
  await page.getByText(REF).first().waitFor({ timeout: LIVE_WAIT_MS });
}
