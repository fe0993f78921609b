import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { swedishDate } from '#contract';
import type { InsertedCard } from '../../native/softcard';
import { launchChromium } from '../support/chromium';
import { loginWithCard, saveScreenshot, LIVE_WAIT_MS } from '../support/e2e-page';
import { startStack, type Stack } from '../support/stack';

/**
 * "Mistakes" (issue 32, points 2–6): a tired person's slips that must not become records, walked
 * in Chromium → browser host → workstation → pcscd → software card, against the real server on
 * PostgreSQL. Peter Svensson, IT contact person with both units, does everything: no judgement
 * preselected in a follow-up or a consent; destructive administration asks first, with a day he
 * chooses; a far back-dated entry and throwing a draft away ask first; three entries written
 * offline keep their order; a permission ending mid-work says so and keeps the text.
 * Screenshots at 1366×768 and 1024×640 (test-results/screenshots/mistakes-*).
 */
let stack: Stack;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let card: InsertedCard | undefined;
/** A client of Hemtjänst Majorna with a set plan (the seed's). */
let client: { id: string; family_name: string; unit_id: string };

const SIZES = [
  { name: '1366x768', width: 1366, height: 768 },
  { name: '1024x640', width: 1024, height: 640 },
] as const;
/** The view as the user sees it, at both sizes (not full page: what fits is what is seen). */
async function shots(name: string): Promise<void> {
  for (const s of SIZES) {
    await page.setViewportSize({ width: s.width, height: s.height });
    await saveScreenshot(page, `mistakes-${name}-${s.name}`);
  }
  await page.setViewportSize({ width: 1366, height: 768 });
}
const tab = () => page.getByRole('tabpanel');

async function openClient(t: 'Journal' | 'Genomförandeplan'): Promise<void> {
  await page.getByRole('button', { name: 'Brukare' }).click();
  await page.getByLabel('Sök brukare (namn eller personnummer)').fill(client.family_name);
  const list = page.getByRole('list', { name: 'Brukare' });
  await expect.poll(() => list.getByRole('listitem').first().innerText(), { timeout: LIVE_WAIT_MS }).toContain(client.family_name);
  await list.getByRole('button').first().click();
  await page.getByRole('tab', { name: t }).click();
}

beforeAll(async () => {
  stack = await startStack('e2e_mistakes');
  const peter = await stack.issueCard({ hsaId: 'SE2321000131-P000000000107', givenName: 'Peter', familyName: 'Svensson', pin: '123456' });
  const { rows } = await stack.db.query<{ id: string; family_name: string; unit_id: string }>(
    `SELECT c.id, c.family_name, c.unit_id FROM clients c JOIN units u ON u.id = c.unit_id JOIN plans p ON p.client_id = c.id
      WHERE u.name = 'Hemtjänst Majorna' ORDER BY c.personnummer LIMIT 1`,
  );
  client = rows[0]!;
  browser = await launchChromium();
  page = browser.page;
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto(stack.host.url);
  card = await loginWithCard(page, peter);
  await page.getByRole('navigation', { name: 'Huvudmeny' }).waitFor({ timeout: LIVE_WAIT_MS });
});
afterAll(async () => {
  await card?.close();
  await browser?.close();
  await stack?.stop();
});

describe('no default for a judgement (point 2)', () => {
  it('a follow-up has no outcome chosen: saving names the goal and records nothing', async () => {
    await openClient('Genomförandeplan');
    await tab().getByRole('button', { name: 'Registrera uppföljning' }).click();
    const outcomes = await tab().getByLabel(/^Utfall: /).all();
    expect(outcomes.length).toBeGreaterThan(0);
    for (const o of outcomes) expect(await o.inputValue()).toBe('');
    const before = (await stack.db.query('SELECT 1 FROM plan_follow_ups f JOIN plans p ON p.id = f.plan_id WHERE p.client_id = $1', [client.id])).rows.length;
    await tab().getByRole('button', { name: 'Spara uppföljningen' }).click();
    await tab().getByText(/^Välj utfall för målet ”.+”\. Inget utfall är förvalt\.$/).waitFor({ timeout: LIVE_WAIT_MS });
    await shots('follow-up-no-default');
    expect((await stack.db.query('SELECT 1 FROM plan_follow_ups f JOIN plans p ON p.id = f.plan_id WHERE p.client_id = $1', [client.id])).rows.length).toBe(before);
    await tab().getByRole('button', { name: 'Stäng' }).first().click();
  });

  it('consent has nothing preselected: the answer, how and by whom are chosen', async () => {
    await tab().getByRole('button', { name: 'Anteckna samtycke' }).click();
    for (const label of ['Brukarens besked', 'Hur beskedet lämnades', 'Vem lämnade beskedet']) expect(await tab().getByLabel(label).inputValue()).toBe('');
    await tab().getByRole('button', { name: 'Spara', exact: true }).click();
    await tab().getByText('Välj brukarens besked. Inget är förvalt.').waitFor({ timeout: LIVE_WAIT_MS });
    await shots('consent-no-default');
  });
});

describe('the journal (points 3, 5, 6)', () => {
  it('a far back-dated entry asks whether the date is right before it is saved', async () => {
    await openClient('Journal');
    await page.getByRole('button', { name: 'Ny journalanteckning' }).click();
    await page.getByLabel('Anteckning', { exact: true }).fill('Skrivet med fel år.');
    await page.getByRole('textbox', { name: 'Händelsedatum' }).fill('2020-01-01');
    await page.getByRole('button', { name: 'Spara anteckningen' }).click();
    await page.getByText(/Händelsedatumet 2020-01-01 ligger \d+ dagar bakåt/).waitFor({ timeout: LIVE_WAIT_MS });
    await shots('journal-backdated');
    expect((await stack.db.query("SELECT 1 FROM journal_entries WHERE text = 'Skrivet med fel år.'")).rows).toHaveLength(0);
    await page.getByRole('button', { name: 'Nej, ändra datumet' }).click();
    await page.getByRole('textbox', { name: 'Händelsedatum' }).fill(swedishDate());
  });

  it('throwing the draft away asks first', async () => {
    await page.getByRole('button', { name: 'Släng utkastet' }).click();
    await page.getByText('Släng utkastet? Det du har skrivit tas bort och kan inte hämtas tillbaka.').waitFor();
    await shots('journal-discard');
    await page.getByRole('button', { name: 'Nej, behåll det' }).click();
    expect(await page.getByLabel('Anteckning', { exact: true }).inputValue()).toBe('Skrivet med fel år.');
    await page.getByRole('button', { name: 'Släng utkastet' }).click();
    await page.getByRole('button', { name: 'Ja, släng utkastet' }).click();
    await expect.poll(() => page.getByLabel('Anteckning', { exact: true }).count()).toBe(0);
  });

  it('three entries written offline keep the order they were written in after the sync', async () => {
    await stack.server.stop();
    for (const n of [1, 2, 3]) {
      await page.getByRole('button', { name: 'Ny journalanteckning' }).click();
      await page.getByLabel('Anteckning', { exact: true }).fill(`Offline nummer ${n}.`);
      await page.getByRole('button', { name: 'Spara anteckningen' }).click();
      await expect.poll(() => page.getByText(`Offline nummer ${n}.`).count(), { timeout: LIVE_WAIT_MS }).toBe(1);
    }
    await stack.server.start();
    await expect.poll(async () => (await stack.db.query("SELECT 1 FROM journal_entries WHERE text LIKE 'Offline nummer %'")).rows.length, { timeout: LIVE_WAIT_MS }).toBe(3);
    await expect.poll(() => page.getByText('Ej skickat').count(), { timeout: LIVE_WAIT_MS }).toBe(0);
    await openClient('Journal');
    const shown = async () => (await page.getByText(/^Offline nummer \d\.$/).allInnerTexts()).map((x) => x.trim());
    await expect.poll(shown, { timeout: LIVE_WAIT_MS }).toEqual(['Offline nummer 3.', 'Offline nummer 2.', 'Offline nummer 1.']);
    await shots('journal-offline-order');
  });
});

describe('destructive administration (point 3)', () => {
  it('"Avsluta" asks from which day, with no day chosen, and says what will happen', async () => {
    await page.getByRole('button', { name: 'Administration' }).click();
    const end = page.getByRole('button', { name: /^Avsluta Personal \(behörighet till enhet\), Hemtjänst Majorna för Anna Lindqvist$/ });
    await end.click();
    const box = page.getByRole('group', { name: /^Avsluta Personal \(behörighet till enhet\), Hemtjänst Majorna för Anna Lindqvist$/ });
    expect(await box.getByLabel(/^Upphör från och med/).inputValue()).toBe('');
    await box.getByRole('button', { name: 'Avsluta behörigheten' }).click();
    await box.getByText('Välj från vilken dag behörigheten ska upphöra.').waitFor();
    await box.getByLabel(/^Upphör från och med/).fill(swedishDate());
    await box.getByText(/upphör från och med \d{4}-\d\d-\d\d\. Sista dag med behörigheten blir \d{4}-\d\d-\d\d\./).waitFor();
    await shots('admin-end-confirm');
    await box.getByRole('button', { name: 'Avbryt' }).click();
    // Nothing ended.
    const { rows } = await stack.db.query("SELECT p.valid_to FROM permissions p JOIN staff s ON s.id = p.staff_id WHERE s.hsa_id = 'SE2321000131-P000000000101'");
    expect(rows.every((r) => r.valid_to === null)).toBe(true);
  });

  it('a grant of the administrator role he made is not his to confirm ("Bekräfta" is not offered)', async () => {
    const form = page.getByRole('form', { name: 'Ge behörighet' });
    await form.getByLabel(/^Person/).selectOption({ label: 'Anna Lindqvist (SE2321000131-P000000000101)' });
    await form.getByLabel(/^Behörighet/).selectOption('it_contact');
    await form.getByLabel(/^Enhet/).selectOption({ label: 'Hela organisationen' });
    await form.getByRole('button', { name: 'Ge behörighet' }).click();
    await page.getByText('Behörigheten väntar på en annan administratörs bekräftelse.').waitFor({ timeout: LIVE_WAIT_MS });
    // The form starts afresh for the next person.
    expect(await form.getByLabel(/^Person/).inputValue()).toBe('');
    await page.getByText('Du gav behörigheten: en annan administratör bekräftar den.').waitFor();
    expect(await page.getByRole('button', { name: /^Bekräfta IT-kontaktperson/ }).count()).toBe(0);
    await shots('admin-own-grant');
  });
});

describe('a permission that ends mid-work (point 4)', () => {
  it('the client’s journal leaves the screen, and the half-written entry is kept where the user can copy it', async () => {
    await openClient('Journal');
    await page.getByRole('button', { name: 'Ny journalanteckning' }).click();
    await page.getByLabel('Anteckning', { exact: true }).fill('Halvskrivet när behörigheten tog slut.');
    await page.getByText(/Utkast sparat/).waitFor({ timeout: LIVE_WAIT_MS });
    // Another administrator ends his permission for the unit (as of today) meanwhile.
    await stack.db.query(
      `UPDATE permissions SET valid_to = current_date - 1, ended_at = now()
        WHERE unit_id = $1 AND staff_id = (SELECT id FROM staff WHERE hsa_id = 'SE2321000131-P000000000107')`,
      [client.unit_id],
    );
    await page.getByText(/Din behörighet till brukarens enhet har upphört, så journalen visas inte längre/).waitFor({ timeout: LIVE_WAIT_MS });
    const kept = page.getByRole('alert').filter({ hasText: 'Ett utkast till journalanteckning' });
    await kept.waitFor({ timeout: LIVE_WAIT_MS });
    expect(await kept.getByRole('textbox', { name: 'Det du skrev' }).inputValue()).toBe('Halvskrivet när behörigheten tog slut.');
    await shots('permission-ended');
  });
});
