import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { swedishLocalDateTime } from '#contract';
import { createWorkstation } from '../../main/app';
import { startBrowserHost, type BrowserHost } from '../../main/host/browser-host';
import type { Workstation } from '../../main/workstation';
import { insertCardFile, type InsertedCard } from '../../native/softcard';
import { SqlAccessLog } from '../../server/audit/access-log';
import { axeViolations } from '../support/axe';
import { launchChromium } from '../support/chromium';
import { loginWithCard, saveScreenshot, LIVE_WAIT_MS } from '../support/e2e-page';
import { pdfText } from '../support/pdf-text';
import { rendererDir, startStack, type Stack } from '../support/stack';

/**
 * Security incidents and the access-log follow-up's timeline and PDFs end to end (issue 17), two
 * workstations on one server, real pcscd with both vpcd readers, Debian Chromium: Anna (staff)
 * reports incidents at her workstation, one discovered 50 hours ago, one while the server is
 * down (refused, said plainly, sent again when it is back); Peter (the IT contact
 * person) sees them with the 48-hour countdown, the late one marked, records the report to the
 * municipality and closes it; then he finds the incident's access-log events on the time axis,
 * exports the search as a PDF and prints a review, both read back with pdftotext.
 */
const HOUR = 3600_000;
let stack: Stack;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let admin: Page;
let staff: Page;
let other: { workstation: Workstation; host: BrowserHost; dataDir: string } | undefined;
const cards: InsertedCard[] = [];

beforeAll(async () => {
  stack = await startStack('e2e_incidents');
  const peter = await stack.issueCard({ hsaId: 'SE2321000131-P000000000107', givenName: 'Peter', familyName: 'Svensson', pin: '123456' });
  const anna = await stack.issueCard({ hsaId: 'SE2321000131-P000000000101', givenName: 'Anna', familyName: 'Lindqvist', pin: '654321' });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ws-e2e-incidents-anna-'));
  const workstation = await createWorkstation({ host: 'browser', serverUrl: stack.serverUrl, dataDir, card: { kind: 'pcsc' }, workstationName: 'e2e-anna' });
  other = { workstation, host: await startBrowserHost({ workstation, rendererDir }), dataDir };
  browser = await launchChromium();
  admin = browser.page;
  await admin.setViewportSize({ width: 1280, height: 900 });
  await admin.goto(stack.host.url);
  cards.push(await loginWithCard(admin, peter));
  await admin.getByRole('navigation').waitFor({ timeout: LIVE_WAIT_MS });
  // Anna's card in the second reader, for her own workstation.
  cards.push(await insertCardFile(anna, { port: 35964 }));
  staff = await browser.context.newPage();
  await staff.setViewportSize({ width: 1280, height: 900 });
});
afterAll(async () => {
  await Promise.all(cards.map((c) => c.close()));
  await browser?.close();
  await other?.host.close();
  await other?.workstation.close();
  await stack?.stop();
});

const exported = (dir: string, pattern: RegExp) => readdirSync(path.join(dir, 'exports')).filter((f) => pattern.test(f));

describe('a staff member', () => {
  it('reports a security incident from her workstation and sees it among her own', async () => {
    await staff.goto(other!.host.url);
    await expect.poll(() => staff.getByRole('radio').count(), { timeout: LIVE_WAIT_MS }).toBe(2);
    await staff.getByRole('radio', { name: 'Virtual PCD 00 01' }).check();
    await expect.poll(() => staff.getByLabel(/^PIN-kod/).isDisabled(), { timeout: LIVE_WAIT_MS }).toBe(false);
    await staff.getByLabel(/^PIN-kod/).fill('654321');
    await staff.getByRole('button', { name: 'Logga in' }).click();
    await staff.getByRole('navigation').waitFor({ timeout: LIVE_WAIT_MS });
    await staff.getByRole('button', { name: 'Säkerhetsincidenter' }).click();

    const form = staff.getByRole('form', { name: 'Rapportera säkerhetsincident' });
    const report = async (what: string, hoursAgo: number, personnummer: string) => {
      await form.getByLabel('Vad har hänt?').fill(what);
      // The Swedish date and 24-hour time fields (components/DateTimeField.tsx), never mm/dd/yyyy or AM/PM.
      const [date, time] = swedishLocalDateTime(new Date(Date.now() - hoursAgo * HOUR)).split('T');
      const discovered = form.getByRole('group', { name: /^Upptäckt/ });
      await discovered.getByLabel('Datum', { exact: true }).fill(date!);
      await discovered.getByLabel('Klockslag', { exact: true }).fill(time!);
      await form.getByLabel(/^Berörda system/).fill('Omsorgsportalen');
      await form.getByLabel(/^Berörda brukare/).fill(personnummer);
      await form.getByRole('button', { name: 'Rapportera incident' }).click();
      await staff.getByText('Incidenten är rapporterad till IT-kontaktpersonen.').waitFor({ timeout: LIVE_WAIT_MS });
    };
    // A client she does not have is refused, in Swedish, and what she wrote stays.
    await form.getByLabel('Vad har hänt?').fill('Fel brukare.');
    await form.getByLabel(/^Berörda brukare/).fill('19000101-0008');
    await form.getByRole('button', { name: 'Rapportera incident' }).click();
    await staff.getByRole('alert').filter({ hasText: 'finns inte bland dina brukare' }).waitFor({ timeout: LIVE_WAIT_MS });
    expect(await form.getByLabel('Vad har hänt?').inputValue()).toBe('Fel brukare.');

    await report('Min arbetsdator blev stulen ur bilen i går kväll; den var låst.', 50, '');
    await report('Ett utskrivet genomförandeplan-utkast låg kvar i skrivaren i personalrummet.', 3, '19121212-1212');
    const mine = staff.getByRole('list', { name: 'Mina rapporterade incidenter' }).getByRole('listitem');
    await expect.poll(() => mine.count(), { timeout: LIVE_WAIT_MS }).toBe(2);
    expect(await axeViolations(staff)).toEqual([]);
    await saveScreenshot(staff, 'i17inc-incident-reported');
  });

  it('offline, the screen says plainly that the incident is not reported, and keeps what she wrote', async () => {
    const form = staff.getByRole('form', { name: 'Rapportera säkerhetsincident' });
    await stack.server.stop();
    try {
      await form.getByLabel('Vad har hänt?').fill('Nätverket ligger nere och en okänd person frågade efter lösenord.');
      await form.getByRole('button', { name: 'Rapportera incident' }).click();
      await staff.getByRole('alert').filter({ hasText: 'Servern går inte att nå: incidenten är inte rapporterad.' }).waitFor({ timeout: LIVE_WAIT_MS });
      expect(await form.getByLabel('Vad har hänt?').inputValue()).toContain('okänd person');
      await saveScreenshot(staff, 'i17inc-incident-offline');
    } finally {
      await stack.server.start();
    }
    await form.getByRole('button', { name: 'Rapportera incident' }).click();
    await staff.getByText('Incidenten är rapporterad till IT-kontaktpersonen.').waitFor({ timeout: LIVE_WAIT_MS });
    const mine = staff.getByRole('list', { name: 'Mina rapporterade incidenter' }).getByRole('listitem');
    await expect.poll(() => mine.count(), { timeout: LIVE_WAIT_MS }).toBe(3);
  });
});

describe('the administrator', () => {
  it('sees every incident with the 48-hour countdown, the overdue one marked first', async () => {
    await admin.getByRole('button', { name: 'Säkerhetsincidenter' }).click();
    const list = admin.getByRole('list', { name: 'Organisationens säkerhetsincidenter' });
    const items = list.locator(':scope > li');
    await expect.poll(() => items.count(), { timeout: LIVE_WAIT_MS }).toBe(3);
    await admin.getByRole('alert').filter({ hasText: '1 incident har passerat 48-timmarsfristen utan rapport till kommunen.' }).waitFor();
    // The menu's badge counts what waits for the report to the municipality.
    await admin.getByRole('navigation').getByLabel('3 incidenter väntar på rapport till kommunen').waitFor();
    expect(await items.nth(0).innerText()).toMatch(/FÖRSENAD – fristen gick ut .*, för 2 h \d+ min sedan/);
    // Then the nearest deadline: discovered 3 hours ago, before the one reported just now.
    expect(await items.nth(1).innerText()).toMatch(/Ska rapporteras till kommunen senast .* · Tid kvar: 4[45] h \d+ min/);
    expect(await items.nth(2).innerText()).toMatch(/Tid kvar: 4[78] h \d+ min/);
    expect(await axeViolations(admin)).toEqual([]);
    await saveScreenshot(admin, 'i17inc-incidents-countdown');
  });

  it('opens the recent one (its client named), records the report to the municipality and closes it', async () => {
    const item = admin.getByRole('listitem').filter({ hasText: 'skrivaren i personalrummet' });
    await item.getByRole('button', { name: 'Visa detaljer' }).click();
    await item.getByText('Tolvan Tolvansson, 19121212-1212').waitFor({ timeout: LIVE_WAIT_MS });
    const report = item.getByRole('form', { name: 'Rapport till kommunen' });
    await report.getByLabel('Hur').selectOption({ label: 'Kommunens supportportal' });
    await report.getByLabel(/^Kommunens ärendenummer/).fill('INC-2026-0412');
    await report.getByRole('button', { name: 'Anteckna rapport till kommunen' }).click();
    await item.getByText('Rapporten till kommunen är antecknad.').waitFor({ timeout: LIVE_WAIT_MS });
    await admin.getByRole('navigation').getByLabel('2 incidenter väntar på rapport till kommunen').waitFor();
    await expect.poll(() => item.innerText()).toMatch(/Rapporterad till kommunen .* \(Kommunens supportportal\) av Peter Svensson · Referens: INC-2026-0412/);
    expect(await axeViolations(admin)).toEqual([]);
    await saveScreenshot(admin, 'i17inc-incident-reported-to-municipality');

    const close = item.getByRole('form', { name: 'Stäng incidenten' });
    await close.getByLabel(/^Kommentar vid stängning/).fill('Utskriften förstörd, rutinen för utskrifter påmind på APT.');
    await close.getByRole('button', { name: 'Stäng incident' }).click();
    await item.getByText('Incidenten är stängd.').waitFor({ timeout: LIVE_WAIT_MS });
    await expect.poll(() => item.innerText()).toMatch(/Stängd .* av Peter Svensson: Utskriften förstörd/);
    // The overdue one stays first and marked; the closed one last.
    const items = admin.getByRole('list', { name: 'Organisationens säkerhetsincidenter' }).locator(':scope > li');
    expect(await items.nth(0).innerText()).toContain('FÖRSENAD');
  });

  it('finds the incident in the access log, shown on a time axis, exports the search as a PDF (itself logged)', async () => {
    // Earlier reads of Tolvan's journal, so the axis has more than this hour to show.
    const { rows: ids } = await stack.db.query<{ anna: string; tolvan: string }>(
      `SELECT (SELECT id FROM staff WHERE hsa_id = 'SE2321000131-P000000000101') AS anna, (SELECT id FROM clients WHERE personnummer = '191212121212') AS tolvan`,
    );
    const log = new SqlAccessLog(stack.db);
    for (const hoursAgo of [26, 26.5, 27, 51]) {
      await log.record({ action: 'read', outcome: 'success', actorStaffId: ids[0]!.anna, actorHsaId: 'SE2321000131-P000000000101', clientId: ids[0]!.tolvan, recordType: 'journal', workstation: 'e2e-anna', at: new Date(Date.now() - hoursAgo * HOUR) });
    }
    await admin.getByRole('button', { name: 'Administration' }).click();
    await admin.getByRole('tab', { name: 'Logguppföljning' }).click();
    const search = admin.getByRole('form', { name: 'Riktad sökning' });
    await search.getByLabel(/^Brukarens personnummer/).fill('19121212-1212');
    await search.getByRole('button', { name: 'Sök' }).click();
    const results = admin.getByRole('table', { name: 'Träffar' });
    await expect.poll(() => results.getByRole('row').count(), { timeout: LIVE_WAIT_MS }).toBeGreaterThan(2);

    await admin.getByRole('button', { name: 'Som tidslinje' }).click();
    const axis = admin.getByRole('list', { name: 'Tidslinje' });
    await axis.waitFor();
    const today = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(new Date());
    expect((await axis.getByRole('heading', { level: 4 }).first().innerText()).toLowerCase()).toContain(today.toLowerCase());
    expect(await axis.innerText()).toMatch(/kl\. \d\d\.00–\d\d\.59\s*\d+ händelser?/);
    // Today, yesterday (the reads 26–27 hours ago) and the day before (a read near midnight may add a day).
    await expect.poll(() => axis.getByRole('heading', { level: 4 }).count()).toBeGreaterThanOrEqual(3);
    expect(await axis.innerText()).toContain('Anna Lindqvist · Tolvan Tolvansson, Hemtjänst Majorna');
    expect(await axeViolations(admin)).toEqual([]);
    await saveScreenshot(admin, 'i17inc-log-timeline');

    await admin.getByRole('button', { name: 'Exportera PDF' }).click();
    await admin.getByRole('status').filter({ hasText: /Exporten är sparad i mappen .+ som logguppfoljning-.*\.pdf/ }).waitFor({ timeout: LIVE_WAIT_MS });
    const [file] = exported(stack.dataDir, /^logguppfoljning-.*\.pdf$/);
    const text = await pdfText(path.join(stack.dataDir, 'exports', file!));
    expect(text).toContain('Åtkomstlogg – sökresultat');
    expect(text).toContain('Sökning: brukare Tolvan Tolvansson');
    expect(text).toContain('Utskriven');
    expect(text).toContain('Peter Svensson');
    expect(text).toMatch(/Ändring\s+·\s+Anna Lindqvist/);
    expect(text).toContain('Post: Säkerhetsincident');
    const { rows } = await stack.db.query<{ action: string }>(`SELECT action FROM access_log WHERE record_type = 'access_log' ORDER BY id DESC LIMIT 1`);
    expect(rows).toEqual([{ action: 'export' }]);
  });

  it('documents a review and prints it as a PDF', async () => {
    await admin.getByRole('button', { name: 'Som tabell' }).click();
    const results = admin.getByRole('table', { name: 'Träffar' });
    await results.getByRole('combobox').first().selectOption({ label: 'Befogad' });
    await admin.getByLabel(/^Sammanfattning av granskningen/).fill('Incidentrapporten om Tolvan: i sin ordning.');
    await admin.getByRole('button', { name: 'Spara granskning' }).click();
    await admin.getByText('Granskningen är sparad.').waitFor();
    await admin.getByRole('button', { name: /^Skriv ut granskningen .* som PDF$/ }).first().click();
    await admin.getByRole('status').filter({ hasText: /Granskningen är sparad som PDF för utskrift i mappen .+ som granskning-.*\.pdf/ }).waitFor({ timeout: LIVE_WAIT_MS });
    const [file] = exported(stack.dataDir, /^granskning-.*\.pdf$/);
    const text = await pdfText(path.join(stack.dataDir, 'exports', file!));
    expect(text).toContain('Granskning av åtkomstloggen');
    expect(text).toMatch(/Granskad .* av Peter Svensson\./);
    expect(text).toContain('Sökning: brukare Tolvan Tolvansson');
    expect(text).toContain('Incidentrapporten om Tolvan: i sin ordning.');
    expect(text).toContain('Bedömning: Befogad');
    expect(await axeViolations(admin)).toEqual([]);
    await saveScreenshot(admin, 'i17inc-log-review-printed');
  });
});
