import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Assignment, SendAssignment } from '#contract';
import { formatPersonnummer, swedishDate } from '#contract';
import type { InsertedCard } from '../../native/softcard';
import { printAssignment } from '../../tools/officer/format';
import { axeViolations } from '../support/axe';
import { launchChromium, screenshotDir } from '../support/chromium';
import { loginWithCard, saveScreenshot, LIVE_WAIT_MS } from '../support/e2e-page';
import { officerLogin, type Officer } from '../support/officer';
import { startStack, type Stack } from '../support/stack';

/** The ISO day `days` after `iso`. */
const dayAfter = (iso: string, days: number) => new Date(Date.parse(`${iso}T12:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/**
 * The inbox's guard rails in Chromium (issue 20, point 3, and the inbox's part of point 7), with
 * Sara Nyström, who holds both demo units: the detail offers only what the rules allow (the
 * server refuses the rest: test/unit/assignments/routes-suite.ts), the next step is the primary
 * button, Fördela offers only units that provide the kind of service and shows whom it went to,
 * absence/presence only where they apply, Pausa without a proposed reason, Avsluta with a reason
 * and a confirmation, Verkställ not before the decision starts; the journal and the assignment
 * link to each other; "Nytt att hantera har kommit till inkorgen" goes when an assignment is opened and after a while;
 * the badge and "Att hantera" count the same.
 */
let stack: Stack;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let card: InsertedCard | undefined;
let officer: Officer;
const today = swedishDate();
const day = (offset: number) => swedishDate(new Date(), offset);
let n = 0;

/** Screenshots named i20guard-*; copied to SHOTS_DIR when it is set (the session's notes). */
const shot = async (name: string) => {
  await saveScreenshot(page, `i20guard-${name}`);
  const dir = process.env.SHOTS_DIR;
  if (dir) {
    mkdirSync(dir, { recursive: true });
    copyFileSync(path.join(screenshotDir, `i20guard-${name}.png`), path.join(dir, `i20guard-${name}.png`));
  }
};
const detailStatus = () => page.locator('.detail-facts .status').innerText();
const form = (name: string) => page.getByRole('form', { name });
const action = (name: string) => page.locator('.action-buttons').getByRole('button', { name, exact: true });
const primaryName = () => page.locator('.action-buttons .action-primary').innerText();
const history = () => page.getByRole('list', { name: 'Historik' }).innerText();

async function send(personnummer: string, over: Partial<SendAssignment> = {}): Promise<Assignment> {
  return officer.send({
    client: { personnummer },
    decision: { reference: `BIS-G-${Date.now() % 100_000}-${++n}`, date: day(-5) },
    services: [{ name: 'Hemtjänst – personlig omvårdnad', grantedHours: 20, per: 'month' }],
    startDate: day(-3),
    freeText: '',
    ...over,
  });
}

/** Opens one assignment from the inbox list: by its client, the newest received first. */
async function openAssignment(a: Assignment): Promise<void> {
  await page.getByRole('button', { name: /^Inkorg/ }).click();
  const back = page.getByRole('button', { name: '← Tillbaka till inkorgen' });
  if (await back.count()) await back.click();
  const list = page.getByRole('listbox', { name: 'Uppdrag' });
  await page.getByRole('button', { name: /^Alla \d+$/ }).click();
  await page.getByLabel('Brukare', { exact: true }).fill(formatPersonnummer(a.client.personnummer));
  await page.getByRole('combobox', { name: 'Sortera' }).selectOption({ label: 'Senast mottagna' });
  await expect.poll(() => list.getByRole('option').first().innerText(), { timeout: LIVE_WAIT_MS }).toContain(a.client.familyName);
  // Wait until the sync has brought this very one (the newest received): on a busy machine the
  // officer's send reaches the workstation's store in seconds, not at once. Each try starts from
  // what the last one left: its detail (shown by now, or another assignment's: back to the list)
  // or the list (the click missed while the list re-rendered); no step waits for what is not there.
  const shown = () => page.getByText(a.decision.reference).count();
  await expect.poll(async () => {
    if (await shown()) return true;
    if (await back.count()) await back.click({ timeout: 5_000 });
    await list.getByRole('option').first().click({ timeout: 5_000 });
    return (await shown()) > 0;
  }, { timeout: LIVE_WAIT_MS }).toBe(true);
}

beforeAll(async () => {
  stack = await startStack('e2e_inbox_guards', { serverSync: { coalesceMs: 20 } });
  const sara = await stack.issueCard({ hsaId: 'SE2321000131-P000000000103', givenName: 'Sara', familyName: 'Nyström', pin: '123456' });
  const maria = await stack.issueCard({ hsaId: 'SE2120001355-P000000000201', givenName: 'Maria', familyName: 'Ek' });
  officer = await officerLogin(stack.serverUrl, maria);
  browser = await launchChromium();
  page = browser.page;
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto(stack.host.url);
  card = await loginWithCard(page, sara);
  await page.getByRole('navigation').waitFor({ timeout: LIVE_WAIT_MS });
});
afterAll(async () => {
  await card?.close();
  await browser?.close();
  await stack?.stop();
});

describe('guard rails on an assignment, in Chromium', () => {
  let homeCare: Assignment;

  it('the badge and “Att hantera” count the same, and the inbox says what the badge counts', async () => {
    await page.getByRole('button', { name: /^Inkorg/ }).click();
    const toHandle = page.getByRole('button', { name: /^Att hantera \d+$/ });
    await expect.poll(async () => Number((await toHandle.innerText()).replace(/\D/g, '')), { timeout: LIVE_WAIT_MS }).toBeGreaterThan(0);
    await expect.poll(async () => page.locator('.app-nav .badge').innerText()).toBe((await toHandle.innerText()).replace(/\D/g, ''));
    expect(await page.locator('.app-nav .badge').getAttribute('title')).toMatch(/^\d+ uppdrag att hantera \((nytt uppdrag, avbeställning att bekräfta eller ändring|nya uppdrag, avbeställningar att bekräfta och ändringar) av handläggaren\)$/);
    expect(await page.getByText('Siffran i menyn är Att hantera i alla dina enheter').count()).toBe(1);
    await shot('inbox-counts');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('“Nytt att hantera har kommit till inkorgen” goes away when an assignment is opened', async () => {
    homeCare = await send('19300807-7723');
    await page.getByText('Nytt att hantera har kommit till inkorgen').waitFor({ timeout: LIVE_WAIT_MS });
    await shot('new-notice');
    await openAssignment(homeCare);
    await page.getByRole('button', { name: '← Tillbaka till inkorgen' }).click();
    await page.getByRole('listbox', { name: 'Uppdrag' }).waitFor();
    expect(await page.getByText('Nytt att hantera har kommit till inkorgen').count()).toBe(0);
  });

  it('“Nytt att hantera har kommit till inkorgen” goes away by itself after 15 s on screen', async () => {
    await send('19380502-8432', { startDate: day(5) });
    const notice = page.getByText('Nytt att hantera har kommit till inkorgen');
    await notice.waitFor({ timeout: LIVE_WAIT_MS });
    const shown = Date.now();
    await notice.waitFor({ state: 'detached', timeout: LIVE_WAIT_MS });
    expect(Date.now() - shown).toBeGreaterThan(12_000);
  }, 60_000);

  it('the next step is the one primary button: Kvittera, then Fördela, then Verkställ', async () => {
    await openAssignment(homeCare);
    expect(await page.locator('.action-buttons .action-primary').count()).toBe(1);
    expect(await primaryName()).toBe('Kvittera');
    expect(await page.getByText('Nästa steg: Kvittera').count()).toBe(1);
    expect(await action('Återrapportera').getAttribute('class')).toBe('button-quiet');
    await shot('primary-new');
    expect(await axeViolations(page)).toEqual([]);
    await action('Kvittera').click();
    await expect.poll(detailStatus, { timeout: LIVE_WAIT_MS }).toBe('Kvitterad');
    expect(await primaryName()).toBe('Fördela');
    expect(await page.locator('.action-buttons button').allInnerTexts()).toEqual(['Fördela', 'Verkställ', 'Återrapportera']);
  });

  it('Fördela offers only units that provide home care; whom it went to is shown to staff and to the officer', async () => {
    expect(await page.locator('.detail-facts').innerText()).toContain('Fördelat till\nInte fördelat');
    expect(await page.locator('.detail-facts').innerText()).toContain('Tjänsteform\nHemtjänst');
    await action('Fördela').click();
    const unit = form('Fördela').getByLabel('Till enhet');
    await expect.poll(() => unit.locator('option').allInnerTexts(), { timeout: LIVE_WAIT_MS }).toEqual(['Hemtjänst Majorna']);
    expect(await form('Fördela').getByText('Bara enheter som utför hemtjänst kan väljas.').count()).toBe(1);
    await form('Fördela').getByRole('checkbox', { name: 'Anna Lindqvist, Undersköterska' }).check();
    await shot('distribute-form');
    expect(await axeViolations(page)).toEqual([]);
    await form('Fördela').getByRole('button', { name: 'Fördela' }).click();
    await expect.poll(() => page.locator('.distributed-to').innerText(), { timeout: LIVE_WAIT_MS }).toBe('Hemtjänst Majorna: Anna Lindqvist (Undersköterska)');
    expect(await primaryName()).toBe('Verkställ');
    await shot('distributed');
    // The officer's `show` prints the same.
    const out: string[] = [];
    printAssignment(await officer.get(homeCare.id), { out: (l) => out.push(l), err: () => undefined });
    expect(out).toContain('  Fördelat till: Hemtjänst Majorna – Anna Lindqvist (Undersköterska)');
  });

  it('Verkställ proposes today (the decision started before); executed home care offers neither absence nor presence', async () => {
    await action('Verkställ').click();
    const date = form('Verkställ').getByLabel('Verkställighetsdatum');
    expect(await date.inputValue()).toBe(today);
    // The bounds: not before the decision's start, not in the future, said in Swedish (DateField).
    await date.fill(dayAfter(homeCare.startDate, -1));
    await date.blur();
    await form('Verkställ').getByText(`Datumet kan inte vara före ${homeCare.startDate}.`).waitFor();
    await date.fill(dayAfter(today, 1));
    await date.blur();
    await form('Verkställ').getByText(`Datumet kan inte vara senare än ${today}.`).waitFor();
    await date.fill(today);
    await date.blur();
    await form('Verkställ').getByRole('button', { name: 'Verkställ' }).click();
    await expect.poll(detailStatus, { timeout: LIVE_WAIT_MS }).toBe('Verkställd');
    const offered = await page.locator('.action-buttons button').allInnerTexts();
    // Executed: the execute action only changes the date now, and says so (issue 32).
    expect(offered).toEqual(['Fördela', 'Ändra verkställighetsdatum', 'Återrapportera', 'Pausa (avbrott)', 'Avsluta']);
    expect(await page.locator('.action-buttons .action-primary').count()).toBe(0);
    expect(await page.getByText(/^Nästa steg/).count()).toBe(0);
  });

  it('Pausa has no proposed reason, and its submit and close stand apart', async () => {
    await action('Pausa (avbrott)').click();
    const reason = form('Pausa (avbrott)').getByLabel('Orsak');
    expect(await reason.inputValue()).toBe('');
    expect(await reason.getAttribute('placeholder')).toBe('T.ex. sjukhusvistelse eller bortrest');
    const submit = form('Pausa (avbrott)').getByRole('button', { name: 'Pausa (avbrott)' });
    const close = form('Pausa (avbrott)').getByRole('button', { name: 'Stäng utan att spara' });
    const [a, b] = [await submit.boundingBox(), await close.boundingBox()];
    // Apart: on opposite sides of the form, not a link next to the submit.
    expect(b!.x - (a!.x + a!.width)).toBeGreaterThan(200);
    expect(await close.getAttribute('class')).toContain('button-quiet');
    await shot('pause-form');
    expect(await axeViolations(page)).toEqual([]);
    // An empty reason is not sent (the field is required).
    await submit.click();
    expect(await reason.evaluate((el: HTMLTextAreaElement) => el.validity.valueMissing)).toBe(true);
    expect(await detailStatus()).toBe('Verkställd');
    await reason.fill('Sjukhusvistelse');
    await submit.click();
    await expect.poll(detailStatus, { timeout: LIVE_WAIT_MS }).toBe('Pausad');
    expect(await primaryName()).toBe('Återuppta');
    await action('Återuppta').click();
    await form('Återuppta').getByRole('button', { name: 'Återuppta' }).click();
    await expect.poll(detailStatus, { timeout: LIVE_WAIT_MS }).toBe('Verkställd');
  });

  it('Avsluta needs a reason and a confirmation; “Nej” goes back without ending', async () => {
    await action('Avsluta').click();
    const f = form('Avsluta');
    // Not in the future (an end is not scheduled): said in Swedish by the date field.
    await f.getByLabel('Slutdatum').fill(dayAfter(today, 1));
    await f.getByLabel('Slutdatum').blur();
    await f.getByText(`Datumet kan inte vara senare än ${today}.`).waitFor();
    await f.getByLabel('Slutdatum').fill(today);
    await f.getByLabel('Slutdatum').blur();
    await f.getByRole('button', { name: 'Avsluta …' }).click();
    expect(await f.getByLabel(/^Orsak till avslutet/).evaluate((el: HTMLTextAreaElement) => el.validity.valueMissing)).toBe(true);
    expect(await f.getByRole('alertdialog').count()).toBe(0);
    await f.getByLabel(/^Orsak till avslutet/).fill('Brukaren har flyttat till annan kommun.');
    await f.getByRole('button', { name: 'Avsluta …' }).click();
    const dialog = f.getByRole('alertdialog');
    expect(await dialog.innerText()).toContain(`Avsluta uppdraget för ${homeCare.client.givenName} ${homeCare.client.familyName} med slutdatum ${today}?`);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Ja, avsluta uppdraget');
    await shot('end-confirm');
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Nej, gå tillbaka' }).click();
    expect(await f.getByRole('alertdialog').count()).toBe(0);
    expect(await detailStatus()).toBe('Verkställd');
    await f.getByRole('button', { name: 'Avsluta …' }).click();
    await f.getByRole('button', { name: 'Ja, avsluta uppdraget' }).click();
    await expect.poll(detailStatus, { timeout: LIVE_WAIT_MS }).toBe('Avslutad');
    expect(await history()).toContain('orsak: Brukaren har flyttat till annan kommun.');
    expect((await officer.get(homeCare.id)).history.at(-1)!.details).toMatchObject({ reason: 'Brukaren har flyttat till annan kommun.' });
  });

  it('a short-term stay offers presence, not absence', async () => {
    const stay = await send('19121212-1212', {
      serviceKind: 'korttidsvistelse',
      services: [{ name: 'Korttidsvistelse för avlösning', grantedHours: 48, per: 'week' }],
    });
    await openAssignment(stay);
    expect(await page.locator('.detail-facts').innerText()).toContain('Tjänsteform\nKorttidsvistelse');
    await action('Kvittera').click();
    await expect.poll(primaryName, { timeout: LIVE_WAIT_MS }).toBe('Fördela');
    await action('Verkställ').click();
    await form('Verkställ').getByRole('button', { name: 'Verkställ' }).click();
    await expect.poll(detailStatus, { timeout: LIVE_WAIT_MS }).toBe('Verkställd');
    expect(await action('Registrera närvaro').count()).toBe(1);
    expect(await action('Registrera frånvaro').count()).toBe(0);
    await action('Registrera närvaro').click();
    const f = form('Registrera närvaro');
    // Not before the execution date (today): said in Swedish by the date field.
    await f.getByLabel('Från och med').fill(dayAfter(today, -1));
    await f.getByLabel('Från och med').blur();
    await f.getByText(`Datumet kan inte vara före ${today}.`).waitFor();
    await f.getByLabel('Från och med').fill(today);
    await f.getByLabel('Från och med').blur();
    await f.getByRole('button', { name: 'Registrera närvaro' }).click();
    await expect.poll(history, { timeout: LIVE_WAIT_MS }).toContain('Närvaro registrerad');
    await shot('presence');
    // Fördela: the daily-activity unit does not run short-term stays either.
    await action('Fördela').click();
    await expect.poll(() => form('Fördela').getByLabel('Till enhet').locator('option').allInnerTexts(), { timeout: LIVE_WAIT_MS }).toEqual(['Hemtjänst Majorna']);
  });

  it('Verkställ is not offered before the decision starts; Fördela is the next step meanwhile', async () => {
    const later = await send('19121212-1212', { startDate: day(5) });
    await openAssignment(later);
    await action('Kvittera').click();
    await expect.poll(detailStatus, { timeout: LIVE_WAIT_MS }).toBe('Kvitterad');
    expect(await page.locator('.action-buttons button').allInnerTexts()).toEqual(['Fördela', 'Återrapportera']);
    expect(await page.getByText(`Beslutet börjar gälla ${day(5)}. Uppdraget kan verkställas från och med den dagen.`).count()).toBe(1);
    await shot('not-yet-executable');
  });

  it('the assignment links to the client’s journal, and the client’s page links back to the assignment', async () => {
    await openAssignment(homeCare);
    await page.getByRole('button', { name: 'Öppna brukarens journal →' }).click();
    await page.getByRole('heading', { level: 2, name: new RegExp(homeCare.client.familyName) }).waitFor({ timeout: LIVE_WAIT_MS });
    expect(await page.getByRole('tab', { name: 'Journal', selected: true }).count()).toBe(1);
    const links = page.getByRole('group', { name: 'Brukarens uppdrag' });
    await expect.poll(() => links.getByRole('button').count(), { timeout: LIVE_WAIT_MS }).toBeGreaterThan(0);
    await shot('client-links');
    expect(await axeViolations(page)).toEqual([]);
    await links.getByRole('button', { name: new RegExp(`^${homeCare.decision.reference} \\(Avslutad\\)`) }).click();
    await page.getByText(homeCare.decision.reference).first().waitFor({ timeout: LIVE_WAIT_MS });
    expect(await detailStatus()).toBe('Avslutad');
  });
});
