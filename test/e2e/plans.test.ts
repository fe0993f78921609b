import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKsiCsv, swedishDate } from '#contract';
import type { InsertedCard } from '../../native/softcard';
import { axeViolations } from '../support/axe';
import { launchChromium } from '../support/chromium';
import { loginWithCard, saveScreenshot, LIVE_WAIT_MS } from '../support/e2e-page';
import { officerLogin } from '../support/officer';
import { startStack, type Stack } from '../support/stack';

/**
 * The implementation plan for real (issue 15; docs/plans.md): Chromium → browser host →
 * workstation → pcscd → software card, the server on PostgreSQL, and the case officer over the
 * server's API with her card. The rules behind it (immutability in the database, the conflict
 * path, consent) are tested in test/integration/plans/plans.test.ts.
 */
let stack: Stack;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let card: InsertedCard | undefined;
let maria: string;
let client: { id: string; family_name: string; given_name: string };

const tab = () => page.getByRole('tabpanel');
const synced = () => expect.poll(() => tab().getByText(/Ej skickat/).count(), { timeout: LIVE_WAIT_MS }).toBe(0);
const planId = async () => (await stack.db.query<{ id: string }>('SELECT id FROM plans WHERE client_id = $1', [client.id])).rows[0]!.id;

beforeAll(async () => {
  // The organisation's KSI list as IT loads it (KSI_LIST_FILE): real-format codes; the titles are this test's own.
  stack = await startStack('e2e_plans', { ksi: parseKsiCsv('Kod;Benämning\nSMB RB ZZ;Testbenämning ett\nSIB RC ZZ;Testbenämning två\n', 'ksi-e2e.csv') });
  const sara = await stack.issueCard({ hsaId: 'SE2321000131-P000000000103', givenName: 'Sara', familyName: 'Nyström', pin: '123456' });
  maria = await stack.issueCard({ hsaId: 'SE2120001355-P000000000201', givenName: 'Maria', familyName: 'Ek', pin: '123456' });
  // A client of Hemtjänst Majorna with an assignment Maria sent and executed, without a plan yet.
  const { rows } = await stack.db.query<{ id: string; family_name: string; given_name: string }>(
    `SELECT c.id, c.family_name, c.given_name FROM clients c JOIN units u ON u.id = c.unit_id
      WHERE u.name = 'Hemtjänst Majorna' AND NOT EXISTS (SELECT 1 FROM plans p WHERE p.client_id = c.id)
        AND EXISTS (SELECT 1 FROM assignments a WHERE a.client_id = c.id AND a.status = 'executed')
      ORDER BY c.personnummer LIMIT 1`,
  );
  client = rows[0]!;
  browser = await launchChromium();
  page = browser.page;
  await page.goto(stack.host.url);
  card = await loginWithCard(page, sara);
  await page.getByRole('navigation', { name: 'Huvudmeny' }).waitFor({ timeout: LIVE_WAIT_MS });
});
afterAll(async () => {
  await card?.close();
  await browser?.close();
  await stack?.stop();
});

describe('Genomförandeplan', () => {
  it('writes a plan with two life areas and three activities, sets it and records consent; the case officer reads it', async () => {
    await page.getByRole('button', { name: 'Brukare' }).click();
    await page.getByLabel('Sök brukare (namn eller personnummer)').fill(client.family_name);
    const list = page.getByRole('list', { name: 'Brukare' });
    await list.getByRole('button', { name: new RegExp(client.family_name) }).first().click();
    await page.getByRole('tab', { name: 'Genomförandeplan' }).click();
    await tab().getByRole('button', { name: 'Ny genomförandeplan' }).click();

    const { rows: assignment } = await stack.db.query<{ id: string; decision_reference: string }>(
      "SELECT id, decision_reference FROM assignments WHERE client_id = $1 AND status = 'executed' LIMIT 1",
      [client.id],
    );
    await page.getByRole('checkbox', { name: new RegExp(`\\(${assignment[0]!.decision_reference}\\)`) }).check();
    await page.getByLabel('Brukarens egna mål').fill('Bo kvar hemma och klara morgonen själv.');
    for (const area of ['self_care', 'domestic_life']) {
      await page.getByLabel('Välj livsområde').selectOption(area);
      await page.getByRole('button', { name: 'Lägg till livsområde' }).click();
    }
    await page.getByLabel('Behov: Personlig vård').fill('Stöd vid dusch.');
    await page.getByLabel('Mål 1: Personlig vård').fill('Duscha tryggt två gånger i veckan.');
    await page.getByLabel('Mål 1: Hemliv').fill('Ha mat hemma som brukaren själv valt.');
    const activities = [
      ['Stöd vid dusch', 'Undersköterska', 'Tisdag och fredag 08.00', 'SMB RB ZZ'],
      ['Inköp', 'Vårdbiträde', 'Torsdagar', ''],
      ['Promenad', 'Undersköterska', 'Söndagar 14.00', ''],
    ];
    for (const [i, [what, who, when, ksi]] of activities.entries()) {
      await page.getByRole('button', { name: 'Lägg till aktivitet' }).click();
      await page.getByLabel(`Vad görs (aktivitet ${i + 1})`).fill(what!);
      await page.getByLabel(`Vem (roll) (aktivitet ${i + 1})`).fill(who!);
      await page.getByLabel(`När (dagar, tider, hur ofta) (aktivitet ${i + 1})`).fill(when!);
      if (ksi) await page.getByLabel(`KSI-kod (valfri) (aktivitet ${i + 1})`).selectOption(ksi);
    }
    // The list the server handed out, with its titles; the example list's code is not offered.
    const ksiOptions = await page.getByLabel('KSI-kod (valfri) (aktivitet 1)').locator('option').allInnerTexts();
    expect(ksiOptions).toEqual(['Ingen KSI-kod', 'SMB RB ZZ – Testbenämning ett', 'SIB RC ZZ – Testbenämning två']);
    await page.getByText('KSI-listan: ksi-e2e.csv (2 koder).').waitFor();
    await page.getByLabel(`Livsområde (aktivitet 2)`).selectOption('domestic_life');
    await page.getByLabel('Brukarens delaktighet och hur brukarens önskemål vägts in').fill('Brukaren formulerade målen själv.');
    await page.getByRole('button', { name: 'Lägg till deltagare' }).click();
    await page.getByLabel('Deltagare 1, namn').fill('Dotter');
    await page.getByLabel('Planerad uppföljning, datum').fill(swedishDate());
    // Autosaved in the encrypted store while typing.
    await page.getByText(/Sparat lokalt/).waitFor({ timeout: LIVE_WAIT_MS });
    await saveScreenshot(page, 'plan-editor');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Spara utkast' }).click();

    await tab().getByRole('heading', { name: 'Utkast' }).waitFor({ timeout: LIVE_WAIT_MS });
    await synced();
    await tab().getByRole('button', { name: 'Fastställ planen' }).click();
    await tab().getByRole('button', { name: 'Ja, fastställ planen' }).click();
    await expect.poll(() => tab().locator('.plan-status').innerText(), { timeout: LIVE_WAIT_MS }).toMatch(/^Version 1, fastställd \d{4}-\d\d-\d\d av Sara Nyström, Undersköterska/);
    await tab().getByRole('button', { name: 'Anteckna samtycke' }).click();
    // Nothing preselected (issue 32): the answer, how and by whom are chosen.
    await tab().getByLabel('Brukarens besked').selectOption('given');
    await tab().getByLabel('Hur beskedet lämnades').selectOption('written');
    await tab().getByLabel('Vem lämnade beskedet').selectOption('client');
    await tab().getByRole('button', { name: 'Spara', exact: true }).click();
    await expect.poll(() => tab().locator('.plan-consent-now').innerText(), { timeout: LIVE_WAIT_MS }).toMatch(/^Samtycke lämnat/);
    await synced();

    const id = await planId();
    const officer = await officerLogin(stack.serverUrl, maria);
    const read = await officer.plan(id);
    expect(read.version.versionNo).toBe(1);
    expect(read.version.content.areas.map((a) => a.lifeArea)).toEqual(['self_care', 'domestic_life']);
    expect(read.version.content.assignmentIds).toEqual([assignment[0]!.id]);
    expect(read.version.content.activities.map((a) => [a.what, a.who, a.ksiCode])).toEqual([
      ['Stöd vid dusch', 'Undersköterska', 'SMB RB ZZ'],
      ['Inköp', 'Vårdbiträde', null],
      ['Promenad', 'Undersköterska', null],
    ]);
    expect(read.consent).toMatchObject({ status: 'given', how: 'written', givenBy: 'client' });
    expect((await stack.db.query("SELECT 1 FROM access_log WHERE record_type = 'plan' AND record_id = $1 AND action = 'read' AND outcome = 'success'", [id])).rows).toHaveLength(1);
  });

  it('revises the plan: a new version, the first one replaced, and the difference view shows what changed', async () => {
    await tab().getByRole('button', { name: 'Revidera planen' }).click();
    await page.getByLabel('Mål 1: Personlig vård').fill('Duscha med mindre stöd.');
    await page.getByRole('button', { name: 'Spara utkast' }).click();
    await tab().getByRole('heading', { name: 'Utkast' }).waitFor({ timeout: LIVE_WAIT_MS });
    await tab().getByRole('button', { name: 'Fastställ planen' }).click();
    await tab().getByRole('button', { name: 'Ja, fastställ planen' }).click();
    await expect.poll(() => tab().locator('.plan-status').innerText(), { timeout: LIVE_WAIT_MS }).toMatch(/^Version 2/);
    await tab().getByRole('button', { name: /Visa ändringar mot föregående version \(v2\)/ }).click();
    const diff = tab().getByRole('region', { name: 'Ändringar från version 1 till 2' });
    expect(await diff.locator('del').allInnerTexts()).toContain('Duscha tryggt två gånger i veckan.');
    expect(await diff.locator('ins').allInnerTexts()).toContain('Duscha med mindre stöd.');
    expect(await tab().getByText(/Version 1 · ersatt · fastställd/).count()).toBe(1);
    await synced();
    const { rows } = await stack.db.query<{ version_no: number }>('SELECT version_no FROM plan_versions WHERE plan_id = $1 ORDER BY version_no', [await planId()]);
    expect(rows.map((r) => r.version_no)).toEqual([1, 2]);
    await saveScreenshot(page, 'plan-versions');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('prints the set plan as a PDF for signing; the export is in the access log', async () => {
    // The browser host hands the PDF out as a download (Electron: its save dialog, test/unit/electron/export-dialogs.test.ts).
    const [download] = await Promise.all([page.waitForEvent('download'), tab().getByRole('button', { name: 'Spara som PDF för underskrift…' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^genomforandeplan-v\d+-\d{4}-\d{2}-\d{2}-\d{6}\.pdf$/);
    expect(download.suggestedFilename()).not.toContain(client.family_name);
    const file = path.join(stack.dataDir, 'downloaded-plan.pdf');
    await download.saveAs(file);
    expect(readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');
    // Code and title from the organisation's list.
    expect((await promisify(execFile)('pdftotext', [file, '-'])).stdout).toMatch(/Stöd vid dusch\s+\(KSI SMB RB ZZ – Testbenämning ett\)/);
    await tab().getByText(/^Planen laddas ner som genomforandeplan-/).waitFor({ timeout: LIVE_WAIT_MS });
    const id = await planId();
    await expect.poll(async () => (await stack.db.query("SELECT 1 FROM access_log WHERE action = 'export' AND record_type = 'plan' AND record_id = $1", [id])).rows.length, { timeout: LIVE_WAIT_MS }).toBe(1);
  });

  it('records a follow-up with an outcome per goal', async () => {
    await tab().getByRole('button', { name: 'Registrera uppföljning' }).click();
    // No outcome preselected (issue 32): each goal's is chosen.
    for (const select of await tab().getByLabel(/^Utfall: /).all()) await select.selectOption('achieved');
    await page.getByLabel('Utfall: Duscha med mindre stöd.').selectOption('partly');
    await page.getByLabel('Kommentar: Duscha med mindre stöd.').fill('Behöver fortfarande hjälp med ryggen.');
    await page.getByRole('button', { name: 'Spara uppföljningen' }).click();
    await expect.poll(() => tab().getByText(/Uppföljd \d{4}-\d\d-\d\d av Sara Nyström/).count(), { timeout: LIVE_WAIT_MS }).toBe(1);
    expect(await tab().getByText('Duscha med mindre stöd.: Delvis uppnått – Behöver fortfarande hjälp med ryggen.').count()).toBe(1);
    await synced();
    expect((await stack.db.query('SELECT outcomes FROM plan_follow_ups WHERE plan_id = $1', [await planId()])).rows).toHaveLength(1);
  });

  it('a draft written offline while someone else saved one: both shown side by side, the user keeps hers, nothing lost', async () => {
    await tab().getByRole('button', { name: 'Revidera planen' }).click();
    await stack.server.stop();
    await page.getByLabel('Mål 1: Hemliv').fill('Min text: handla tillsammans på torsdagar.');
    await page.getByRole('button', { name: 'Spara utkast' }).click();
    await tab().getByText('Ej skickat (1)').waitFor({ timeout: LIVE_WAIT_MS });
    // Meanwhile, on another workstation, Anna saved a draft of the same plan.
    await stack.db.query(
      `UPDATE plans p SET revision = p.revision + 1, updated_at = now(), draft_saved_at = now(), draft_based_on = v.id,
              draft = jsonb_set(v.content, '{clientGoals}', '"Annans text: fler promenader."'::jsonb),
              draft_by_staff_id = s.id, draft_by_hsa_id = s.hsa_id, draft_by_name = s.given_name || ' ' || s.family_name, draft_by_title = s.title
         FROM plan_versions v, staff s
        WHERE p.id = $1 AND v.plan_id = p.id AND s.hsa_id = 'SE2321000131-P000000000101'
          AND v.version_no = (SELECT max(version_no) FROM plan_versions WHERE plan_id = p.id)`,
      [await planId()],
    );
    await stack.server.start();
    const conflict = tab().getByRole('region', { name: 'Planen ändrades av någon annan medan du skrev' });
    await conflict.waitFor({ timeout: LIVE_WAIT_MS });
    // The refusal of her push can come before the pull that brings Anna's draft into this
    // workstation's store: the view shows the saved version until then, and Anna's draft when the
    // pull has it (the tab reloads on data.changed). Wait for that state, not for time.
    await expect.poll(() => conflict.innerText(), { timeout: LIVE_WAIT_MS }).toContain('Annans text: fler promenader.');
    expect(await conflict.innerText()).toContain('Min text: handla tillsammans på torsdagar.');
    await saveScreenshot(page, 'plan-conflict');
    expect(await axeViolations(page)).toEqual([]);
    await conflict.getByRole('button', { name: 'Behåll min version' }).click();
    await expect.poll(() => conflict.count(), { timeout: LIVE_WAIT_MS }).toBe(0);
    await synced();
    await expect
      .poll(async () => JSON.stringify((await stack.db.query<{ draft: unknown }>('SELECT draft FROM plans WHERE id = $1', [await planId()])).rows[0]!.draft), { timeout: LIVE_WAIT_MS })
      .toContain('Min text: handla tillsammans på torsdagar.');
  });

  it('"Planer att följa upp" lists the unit’s plans due, the most overdue first', async () => {
    await page.getByRole('button', { name: 'Planer att följa upp' }).click();
    await page.getByLabel('Enhet').selectOption({ label: 'Hemtjänst Majorna' });
    const rows = page.locator('.due-table tbody tr');
    await expect.poll(() => rows.count(), { timeout: LIVE_WAIT_MS }).toBeGreaterThan(0);
    const dates = await page.locator('.due-table tbody td:nth-child(3)').allInnerTexts();
    expect(dates).toEqual([...dates].sort());
    // The seed's plan set eleven months ago: its yearly revision is due within the month.
    expect(await page.locator('.due-table tbody td:nth-child(2)').allInnerTexts()).toContain('Årlig revidering');
    await saveScreenshot(page, 'plans-due');
    expect(await axeViolations(page)).toEqual([]);
  });
});
