import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { swedishDate } from '#contract';
import { insertCardFile, type InsertedCard } from '../../native/softcard';
import { axeViolations } from '../support/axe';
import { launchChromium } from '../support/chromium';
import { loginAtReader, loginWithCard, saveScreenshot, LIVE_WAIT_MS } from '../support/e2e-page';
import { startSecondWorkstation, startStack, type SecondWorkstation, type Stack } from '../support/stack';

/**
 * Administration end to end (issue 17), two workstations on one server, real pcscd with both vpcd
 * readers, Debian Chromium: the IT contact person (Peter) adds a new colleague from the card she
 * puts in his second reader, grants her Hemtjänst Majorna; she logs in at her own workstation and
 * sees the unit; he ends the permission and her workstation drops the unit while she looks at it.
 * Then a targeted access-log search with a documented review, and the integrity check: whole, then
 * naming the row an intruder rewrote.
 */
const NORA = { hsaId: 'SE2321000131-P000000000301', givenName: 'Nora', familyName: 'Ahmadi' };
let stack: Stack;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let admin: Page;
let colleague: Page;
let other: SecondWorkstation | undefined;
const cards: InsertedCard[] = [];

beforeAll(async () => {
  stack = await startStack('e2e_admin', { serverSync: { coalesceMs: 20 } });
  const peter = await stack.issueCard({ hsaId: 'SE2321000131-P000000000107', givenName: 'Peter', familyName: 'Svensson', pin: '123456' });
  const nora = await stack.issueCard({ ...NORA, pin: '654321' });
  // Her own workstation: the same server, its own data folder.
  other = await startSecondWorkstation(stack.serverUrl, 'e2e-nora');
  browser = await launchChromium();
  admin = browser.page;
  await admin.setViewportSize({ width: 1280, height: 900 });
  await admin.goto(stack.host.url);
  cards.push(await loginWithCard(admin, peter));
  await admin.getByRole('navigation').waitFor({ timeout: LIVE_WAIT_MS });
  // Nora's card goes into the administrator's second reader.
  cards.push(await insertCardFile(nora, { port: 35964 }));
  colleague = await browser.context.newPage();
});
afterAll(async () => {
  await Promise.all(cards.map((c) => c.close()));
  await browser?.close();
  await other?.close();
  await stack?.stop();
});

const grantLine = (name: RegExp) => admin.getByRole('listitem').filter({ hasText: name });

describe('the administrator', () => {
  it('has the Administration screen (staff do not: the server refuses them too); it is accessible', async () => {
    await admin.getByRole('button', { name: 'Administration' }).click();
    await admin.getByRole('heading', { name: 'Personer' }).waitFor({ timeout: LIVE_WAIT_MS });
    expect(await axeViolations(admin)).toEqual([]);
  });

  it('adds a colleague from the card in his second reader, and grants her a unit', async () => {
    const fromCard = admin.getByRole('form', { name: 'Läs från kort' });
    await expect.poll(() => fromCard.getByLabel(/^Kortläsare med personens kort/).locator('option').allInnerTexts(), { timeout: LIVE_WAIT_MS }).toContain('Virtual PCD 00 01');
    await fromCard.getByLabel(/^Kortläsare med personens kort/).selectOption('Virtual PCD 00 01');
    await fromCard.getByLabel(/^Titel/).fill('Undersköterska');
    await fromCard.getByRole('button', { name: 'Lägg till från kort' }).click();
    await admin.getByText('Nora Ahmadi är tillagd.').waitFor({ timeout: LIVE_WAIT_MS });

    const grant = admin.getByRole('form', { name: 'Ge behörighet' });
    await grant.getByLabel(/^Person/).selectOption({ label: `Nora Ahmadi (${NORA.hsaId})` });
    await grant.getByLabel(/^Behörighet/).selectOption('staff');
    await grant.getByLabel(/^Enhet/).selectOption({ label: 'Hemtjänst Majorna' });
    await grant.getByRole('button', { name: 'Ge behörighet' }).click();
    await admin.getByText('Behörigheten är given.').waitFor();
    await grantLine(/Hemtjänst Majorna.*Aktiv.*given av Peter Svensson/).first().waitFor();
  });

  it('she logs in at her own workstation and sees the unit; he ends it and her workstation drops it live', async () => {
    await colleague.goto(other!.host.url);
    await loginAtReader(colleague, 'Virtual PCD 00 01', '654321');
    const units = colleague.getByRole('list', { name: 'Enheter' });
    await expect.poll(() => units.getByText('Hemtjänst Majorna', { exact: true }).count(), { timeout: LIVE_WAIT_MS }).toBe(1);
    // Not an administrator: no Administration in her menu.
    expect(await colleague.getByRole('button', { name: 'Administration' }).count()).toBe(0);

    // Her workstation has synced the unit's clients into its store.
    await colleague.getByRole('button', { name: 'Brukare' }).click();
    const clients = colleague.getByRole('list', { name: 'Brukare' }).getByRole('listitem');
    await expect.poll(() => clients.count(), { timeout: LIVE_WAIT_MS }).toBeGreaterThan(0);

    await admin.getByRole('button', { name: 'Avsluta Personal (behörighet till enhet), Hemtjänst Majorna för Nora Ahmadi' }).click();
    // It asks from which day (none chosen for him) and says what will happen (issue 32).
    const ending = admin.getByRole('group', { name: 'Avsluta Personal (behörighet till enhet), Hemtjänst Majorna för Nora Ahmadi' });
    await ending.getByLabel(/^Upphör från och med/).fill(swedishDate());
    await ending.getByText(/upphör från och med \d{4}-\d\d-\d\d\. Sista dag med behörigheten blir/).waitFor();
    await ending.getByRole('button', { name: 'Avsluta behörigheten' }).click();
    await admin.getByText('Behörigheten är avslutad.').waitFor();
    // Live, without a reload: the server's event stream → pull → the unit's data purged from her store.
    await expect.poll(() => clients.count(), { timeout: LIVE_WAIT_MS }).toBe(0);
    await colleague.getByRole('button', { name: 'Enheter' }).click();
    await expect.poll(() => units.getByText('Hemtjänst Majorna', { exact: true }).count(), { timeout: LIVE_WAIT_MS }).toBe(0);
    await saveScreenshot(colleague, 'admin-colleague-unit-ended');
  });

  it('the history shows the addition, the grant and the end, each with who did it', async () => {
    await admin.getByRole('tab', { name: 'Historik' }).click();
    const rows = admin.getByRole('table', { name: 'Behörighetshistorik' }).getByRole('row').filter({ hasText: 'Nora Ahmadi' });
    await expect.poll(() => rows.count(), { timeout: LIVE_WAIT_MS }).toBe(3);
    expect((await rows.allInnerTexts()).map((r) => r.includes('Peter Svensson'))).toEqual([true, true, true]);
    await expect.poll(() => rows.first().innerText()).toContain('Behörighet avslutad');
  });

  it('follows up the log: a targeted search, a verdict per row, the review documented; the integrity check holds', async () => {
    await admin.getByRole('tab', { name: 'Logguppföljning' }).click();
    const search = admin.getByRole('form', { name: 'Riktad sökning' });
    await search.getByLabel(/^Användarens HSA-id/).fill(NORA.hsaId);
    await search.getByLabel(/^Händelse/).selectOption({ label: 'Inloggning' });
    await search.getByRole('button', { name: 'Sök' }).click();
    const results = admin.getByRole('table', { name: 'Träffar' });
    await expect.poll(() => results.getByRole('row').count(), { timeout: LIVE_WAIT_MS }).toBe(2);
    expect(await results.innerText()).toContain('Nora Ahmadi');
    await results.getByRole('combobox').first().selectOption({ label: 'Befogad' });
    await admin.getByLabel(/^Sammanfattning av granskningen/).fill('Nora Ahmadis inloggning under introduktionen: i sin ordning.');
    await admin.getByRole('button', { name: 'Spara granskning' }).click();
    await admin.getByText('Granskningen är sparad.').waitFor();
    const reviews = admin.getByRole('list', { name: 'Dokumenterade granskningar' });
    await expect.poll(() => reviews.innerText()).toContain('Peter Svensson · Sökning: användare Nora Ahmadi; händelser inloggning · 1 rader, 0 att utreda');
    expect(await axeViolations(admin)).toEqual([]);

    await admin.getByRole('button', { name: 'Kontrollera loggens integritet' }).click();
    await expect.poll(() => admin.getByRole('status').filter({ hasText: /^Loggen är hel/ }).count(), { timeout: LIVE_WAIT_MS }).toBe(1);
    await saveScreenshot(admin, 'admin-log-follow-up');
  });

  it('the server’s configuration names the KSI list the plans use: here the example list, said to be not Socialstyrelsen’s (issue 32)', async () => {
    await admin.getByRole('tab', { name: 'Tillitsnivåer' }).click();
    const ksi = admin.getByRole('region', { name: 'KSI-listan i planeringen' });
    await expect.poll(() => ksi.innerText(), { timeout: LIVE_WAIT_MS }).toContain('KSI-listan: exempellista — inte Socialstyrelsens (1 kod)');
    expect(await ksi.innerText()).toContain('KSI_LIST_FILE');
    expect(await axeViolations(admin)).toEqual([]);
    await admin.getByRole('tab', { name: 'Logguppföljning' }).click();
  });

  it('the integrity check names the row of a tampered log', async () => {
    const { rows } = await stack.db.query<{ id: string }>(`SELECT id::text AS id FROM access_log WHERE action = 'login' ORDER BY id LIMIT 1`);
    const id = rows[0]!.id;
    // What an intruder with the owner's rights could do: switch the guard off and rewrite a row.
    await stack.db.exec('ALTER TABLE access_log DISABLE TRIGGER access_log_no_update_delete');
    await stack.db.query(`UPDATE access_log SET workstation = 'WS-ANNAN' WHERE id = $1`, [id]);
    await stack.db.exec('ALTER TABLE access_log ENABLE TRIGGER access_log_no_update_delete');
    await admin.getByRole('button', { name: 'Kontrollera loggens integritet' }).click();
    const broken = admin.getByRole('status').filter({ hasText: /^Åtkomstloggen är bruten/ });
    await expect.poll(() => broken.count(), { timeout: LIVE_WAIT_MS }).toBe(1);
    expect(await broken.innerText()).toContain(`Åtkomstloggen är bruten vid rad ${id}: raden har ändrats.`);
    expect(await axeViolations(admin)).toEqual([]);
    await saveScreenshot(admin, 'admin-log-tampered');
  });
});
