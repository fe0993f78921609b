import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { swedishDate } from '#contract';
import { startBrowserHost, type BrowserHost } from '../../main/host/browser-host';
import type { InsertedCard } from '../../native/softcard';
import { axeViolations } from '../support/axe';
import { launchChromium } from '../support/chromium';
import { loginWithCard, saveScreenshot, LIVE_WAIT_MS } from '../support/e2e-page';
import { rendererDir, startStack, type Stack } from '../support/stack';

/**
 * Issue 20, points 4–7, for real (Chromium → browser host → workstation → pcscd → the server on
 * PostgreSQL): choosing the notes of a summary, printing as a download, Swedish dates, and the
 * smaller things (Enheter, the menu, personnummer, Enter in the search, no permission, an old tab).
 * The Electron side of printing and the shell's locale: test/unit/electron/export-dialogs.test.ts.
 */
let stack: Stack;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let card: InsertedCard | undefined;
let newHost: BrowserHost | undefined;
let client: { id: string; given_name: string; family_name: string; personnummer: string; unit: string };

const shot = (name: string) => saveScreenshot(page, `i20dates-${name}`);
const nav = (name: string) => page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('button', { name });
const notesList = () => page.getByRole('list', { name: 'Daganteckningar, nyaste först' });
const note = (text: string) => notesList().getByRole('listitem').filter({ hasText: text });
const editorText = () => page.getByLabel('Anteckning', { exact: true });

beforeAll(async () => {
  stack = await startStack('e2e_i20dates');
  browser = await launchChromium();
  page = browser.page;
  const { rows } = await stack.db.query<typeof client>(
    `SELECT c.id, c.given_name, c.family_name, c.personnummer, u.name AS unit FROM clients c JOIN units u ON u.id = c.unit_id
     JOIN permissions p ON p.unit_id = u.id JOIN staff s ON s.id = p.staff_id WHERE s.hsa_id = 'SE2321000131-P000000000103' ORDER BY c.family_name LIMIT 1`,
  );
  client = rows[0]!;
  await page.goto(stack.host.url);
});
afterAll(async () => {
  await card?.close();
  await browser?.close();
  await newHost?.close();
  await stack?.stop();
});

describe('7: no permission says what to do', () => {
  it('a person without a current permission is told to contact the IT contact person and give the HSA-ID', async () => {
    const { rows } = await stack.db.query<{ organisation_id: string }>("SELECT organisation_id FROM staff WHERE hsa_id = 'SE2321000131-P000000000103'");
    await stack.db.query("INSERT INTO staff (hsa_id, given_name, family_name, title, role, organisation_id) VALUES ('SE2321000131-P000000000999', 'Nils', 'Utanbehörighet', 'Vikarie', 'staff', $1)", [rows[0]!.organisation_id]);
    const nils = await stack.issueCard({ hsaId: 'SE2321000131-P000000000999', givenName: 'Nils', familyName: 'Utanbehörighet', pin: '123456' });
    card = await loginWithCard(page, nils);
    const alert = page.getByRole('alert').filter({ hasText: 'Du saknar en giltig behörighet' });
    await alert.waitFor({ timeout: LIVE_WAIT_MS });
    expect(await alert.innerText()).toMatch(/Kontakta din IT-kontaktperson.*HSA-ID/s);
    await shot('no-permission');
    expect(await axeViolations(page)).toEqual([]);
    await card.close();
    card = undefined;
  });
});

describe('with Sara logged in', () => {
  beforeAll(async () => {
    const sara = await stack.issueCard({ hsaId: 'SE2321000131-P000000000103', givenName: 'Sara', familyName: 'Nyström', pin: '123456' });
    await page.getByText('Inget kort').first().waitFor({ timeout: LIVE_WAIT_MS });
    card = await loginWithCard(page, sara);
    await page.getByRole('navigation', { name: 'Huvudmeny' }).waitFor({ timeout: LIVE_WAIT_MS });
  });

  it('7: Enheter: a unit is chosen → its day-note feed, and the menu marks Enheter, not Brukare', async () => {
    await nav('Enheter').click();
    await page.getByRole('button', { name: `Daganteckningar för ${client.unit}` }).click();
    await page.getByRole('heading', { name: `Daganteckningar – ${client.unit}` }).waitFor();
    // The first sync after the login brings the unit's notes; on a busy machine that takes seconds.
    await expect.poll(() => notesList().getByRole('listitem').count(), { timeout: LIVE_WAIT_MS }).toBeGreaterThan(0);
    expect(await nav('Enheter').getAttribute('aria-current')).toBe('page');
    expect(await nav('Brukare').getAttribute('aria-current')).toBeNull();
    await shot('unit-feed');
    await page.getByRole('button', { name: '← Tillbaka till enheterna' }).click();
    await shot('units');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: `Uppdrag i inkorgen för ${client.unit}` }).click();
    await expect.poll(() => nav('Inkorg').getAttribute('aria-current')).toBe('page');
  });

  it('7: Enter in the client search opens the one hit; a personnummer never wraps', async () => {
    await nav('Brukare').click();
    const search = page.getByLabel('Sök brukare (namn eller personnummer)');
    await search.fill(client.personnummer);
    await expect.poll(() => page.getByRole('list', { name: 'Brukare' }).getByRole('listitem').count(), { timeout: LIVE_WAIT_MS }).toBe(1);
    await search.press('Enter');
    await page.getByRole('tab', { name: 'Journal' }).waitFor();
    const pnr = page.locator('#client-h .client-pnr');
    expect(await pnr.evaluate((el) => getComputedStyle(el).whiteSpace)).toBe('nowrap');
    // At the office PCs' narrowest width the number stays on one line.
    await page.setViewportSize({ width: 1024, height: 640 });
    const box = await pnr.boundingBox();
    const lineHeight = await pnr.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight) || parseFloat(getComputedStyle(el).fontSize) * 1.4);
    expect(box!.height).toBeLessThan(lineHeight * 1.5);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('4: "Kopiera till journal" says the notes were added (not "återställt") and is not offered on a summarised note', async () => {
    await page.getByRole('tab', { name: 'Daganteckningar' }).click();
    for (const text of ['Promenad till affären med hemtjänsten.', 'Kaffet är slut, står på inköpslistan.', 'Brukaren var yr på morgonen, satt ner en stund.']) {
      await page.getByLabel('Ny daganteckning').fill(text);
      await page.getByRole('button', { name: 'Spara daganteckning' }).click();
      await expect.poll(() => note(text).count(), { timeout: LIVE_WAIT_MS }).toBe(1);
    }
    await expect.poll(() => page.getByText('Ej skickat').count(), { timeout: LIVE_WAIT_MS }).toBe(0);
    await note('Promenad till affären').getByRole('button', { name: /^Kopiera till journal/ }).click();
    await expect.poll(() => editorText().inputValue(), { timeout: LIVE_WAIT_MS }).toContain('Promenad till affären med hemtjänsten.');
    // One note copied: singular.
    await expect.poll(() => page.getByText('Daganteckningen är inlagd i ett nytt journalutkast').count(), { timeout: LIVE_WAIT_MS }).toBe(1);
    expect(await page.getByText(/är återställt/).count()).toBe(0);
    await page.getByRole('button', { name: 'Spara anteckningen' }).click();
    await page.getByRole('tab', { name: 'Daganteckningar' }).click();
    const walked = note('Promenad till affären');
    await expect.poll(() => walked.getByText(/Sammanfattad i journalen/).count(), { timeout: LIVE_WAIT_MS }).toBe(1);
    expect(await walked.getByRole('button', { name: /Kopiera till journal/ }).count()).toBe(0);
  });

  it('4: Sammanfatta lets the user choose the notes (the summarised one unticked and marked), grouped by life area, into a draft to edit', async () => {
    await page.getByRole('button', { name: 'Sammanfatta', exact: true }).click();
    const chooser = page.getByRole('group', { name: /Välj anteckningar att sammanfatta/ });
    await chooser.waitFor();
    const box = (text: string) => chooser.getByRole('listitem').filter({ hasText: text }).getByRole('checkbox');
    expect(await box('Promenad till affären').isChecked()).toBe(false);
    expect(await chooser.getByRole('listitem').filter({ hasText: 'Promenad till affären' }).getByText(/Redan sammanfattad/).count()).toBe(1);
    expect(await box('Kaffet är slut').isChecked()).toBe(true);
    expect(await box('Brukaren var yr').isChecked()).toBe(true);
    await box('Kaffet är slut').uncheck(); // trivia stays out of the journal
    await chooser.getByRole('listitem').filter({ hasText: 'Brukaren var yr' }).getByRole('combobox').selectOption({ label: 'Personlig vård' });
    await shot('summary-chooser');
    expect(await axeViolations(page)).toEqual([]);
    // The seeded notes of the period (a colleague's) are ticked too: without a life area they go under Övrigt.
    const ticked = await chooser.getByRole('checkbox', { checked: true }).count();
    await chooser.getByRole('button', { name: `Skapa journalutkast av ${ticked} anteckningar` }).click();
    await expect.poll(() => editorText().inputValue(), { timeout: LIVE_WAIT_MS }).toMatch(/^Sammanfattning av daganteckningar .*\n\nPersonlig vård:\n.* Sara Nyström: Brukaren var yr på morgonen, satt ner en stund\.\n\nÖvrigt:\n/s);
    const draft = await editorText().inputValue();
    expect(draft).not.toContain('Kaffet');
    expect(draft).not.toContain('Promenad');
    expect(await page.getByText(`Gjord av ${ticked} daganteckningar`, { exact: false }).count()).toBe(1);
    await editorText().fill(`${draft}\nBlodtrycket kontrolleras i morgon.`);
    await page.getByRole('button', { name: 'Spara anteckningen' }).click();
    await expect.poll(async () => (await stack.db.query("SELECT text FROM day_notes WHERE client_id = $1 AND summarised_at IS NOT NULL ORDER BY text", [client.id])).rows.map((r) => r.text), { timeout: LIVE_WAIT_MS })
      .toEqual(expect.arrayContaining(['Brukaren var yr på morgonen, satt ner en stund.', 'Promenad till affären med hemtjänsten.']));
    expect((await stack.db.query("SELECT 1 FROM day_notes WHERE client_id = $1 AND text LIKE 'Kaffet är slut%' AND summarised_at IS NULL", [client.id])).rows.length).toBe(1);
  });

  it('6: dates are typed and shown as ÅÅÅÅ-MM-DD with a Swedish calendar and Swedish messages, no native date input anywhere', async () => {
    await page.getByRole('tab', { name: 'Journal' }).click();
    await page.getByRole('button', { name: 'Skriv ut / spara som PDF' }).click();
    const from = page.getByLabel('Från och med');
    await from.fill('20261224');
    await from.blur();
    expect(await from.inputValue()).toBe('2026-12-24');
    await from.fill('');
    await from.blur();
    // The calendar: Swedish month and weekdays, Monday first, week numbers; a day chosen is shown as ÅÅÅÅ-MM-DD.
    const to = page.getByLabel('Till och med');
    await to.fill('2026-12-01');
    await page.locator('.export-panel .date-field').nth(1).getByRole('button', { name: 'Välj datum i kalendern' }).click();
    const calendar = page.getByRole('dialog', { name: 'Kalender' });
    await calendar.waitFor();
    expect(await calendar.innerText()).toMatch(/december/i);
    // Monday first, Swedish day names; a week-number column before them.
    expect((await calendar.locator('thead th').allInnerTexts()).map((d) => d.trim()).filter(Boolean)).toEqual(['må', 'ti', 'on', 'to', 'fr', 'lö', 'sö']);
    expect(await calendar.locator('.rdp-week_number').count()).toBeGreaterThan(3);
    await shot('calendar');
    expect(await axeViolations(page)).toEqual([]);
    await calendar.getByRole('button', { name: /24 december 2026/i }).click();
    expect(await to.inputValue()).toBe('2026-12-24');

    // A bad date in the journal editor: our Swedish message, no browser bubble, nothing saved.
    await page.getByRole('button', { name: 'Ny journalanteckning' }).click();
    await editorText().fill('Ska inte sparas: fel datum.');
    const date = page.getByRole('textbox', { name: 'Händelsedatum' });
    await date.fill('2026-02-30');
    await page.getByRole('button', { name: 'Spara anteckningen' }).click();
    await page.getByText('2026-02-30 finns inte i kalendern. Skriv datumet som ÅÅÅÅ-MM-DD.').waitFor();
    expect(await date.getAttribute('aria-invalid')).toBe('true');
    expect(await date.evaluate((el: HTMLInputElement) => el.validationMessage)).toMatch(/finns inte i kalendern/);
    await date.fill('12/24/2026');
    await date.blur();
    await page.getByText('Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-12-24.').waitFor();
    await shot('bad-date');
    expect(await axeViolations(page)).toEqual([]);
    expect((await stack.db.query("SELECT 1 FROM journal_entries WHERE text LIKE 'Ska inte sparas%'")).rows.length).toBe(0);
    await page.getByRole('button', { name: 'Släng utkastet' }).click();
    await page.getByRole('button', { name: 'Ja, släng utkastet' }).click();
    expect(await page.locator('input[type="date"], input[type="datetime-local"]').count()).toBe(0);
  });

  it('5: "Spara som PDF" in the browser host is a download named in Swedish local time, for the chosen period, logged as an export', async () => {
    const from = page.getByLabel('Från och med');
    await from.fill('2026-11-01');
    await page.getByLabel('Till och med').fill('2026-12-24');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Spara som PDF…' }).click()]);
    const name = download.suggestedFilename();
    expect(name).toMatch(/^journal-\d{4}-\d{2}-\d{2}-\d{6}\.pdf$/);
    expect(name.slice(8, 18)).toBe(swedishDate());
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'i20dates-pdf-')), name);
    await download.saveAs(file);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    expect(text).toContain('Verkställighetsjournal');
    expect(text).toContain(`${client.family_name}, ${client.given_name}`);
    expect(text).toContain('Händelsedatum 2026-11-01 – 2026-12-24');
    expect(text).toContain('Blodtrycket kontrolleras i morgon.');
    await page.getByText(`PDF:en laddas ner som ${name}`).waitFor();
    await shot('export-download');
    await expect.poll(async () => (await stack.db.query("SELECT 1 FROM access_log WHERE client_id = $1 AND action = 'export' AND record_type = 'journal'", [client.id])).rows.length, { timeout: LIVE_WAIT_MS }).toBe(1);
  });

  it('7: after a restart the old tab says so and where to go, not "Kort isatt" or "Servern går inte att nå"', async () => {
    const port = Number(new URL(stack.host.origin).port);
    await stack.host.close();
    newHost = await startBrowserHost({ workstation: stack.workstation, rendererDir, port });
    expect(newHost.url).not.toBe(stack.host.url);
    await page.getByRole('heading', { name: 'Arbetsstationen har startats om — öppna den nya adressen' }).waitFor({ timeout: LIVE_WAIT_MS });
    expect(await page.getByText('Kort isatt').count()).toBe(0);
    expect(await page.getByText(/Servern går inte att nå/).count()).toBe(0);
    await shot('old-tab');
    expect(await axeViolations(page)).toEqual([]);
  });
});
