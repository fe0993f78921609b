import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoreStatus } from '#contract';
import { localStoreFile } from '../../main/store';
import type { InsertedCard } from '../../native/softcard';
import { axeViolations } from '../support/axe';
import { launchChromium } from '../support/chromium';
import { loginWithCard, saveScreenshot, LIVE_WAIT_MS } from '../support/e2e-page';
import { canMakeImmutable, whileImmutable } from '../support/immutable-dir';
import { startStack, type Stack } from '../support/stack';

/**
 * A local store that cannot be read, as the user meets it: Chromium → browser host → workstation
 * → pcscd → software card, the server on PostgreSQL. The store file is corrupted on disk between
 * two logins; the next login shows the dialog, and "Hämta uppgifterna på nytt från servern" sets
 * the old file aside and brings the clients and their journals back from the server.
 */
const HSA = 'SE2321000131-P000000000103';
let stack: Stack;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let sara: string;
let card: InsertedCard | undefined;
let journalClient: { familyName: string; givenName: string; entries: number };

const shot = (name: string) => saveScreenshot(page, name);
const login = async () => {
  card = await loginWithCard(page, sara);
};
const storeState = async () => {
  const r = await stack.workstation.dispatch('store.status', {});
  return r.ok ? (r.value as StoreStatus).state : 'error';
};
const dialog = () => page.getByRole('alertdialog');
const clientList = () => page.getByRole('list', { name: 'Brukare' });

beforeAll(async () => {
  stack = await startStack('e2e_store_unreadable');
  sara = await stack.issueCard({ hsaId: HSA, givenName: 'Sara', familyName: 'Nyström', pin: '123456' });
  const { rows } = await stack.db.query<{ family_name: string; given_name: string; n: number }>(
    `SELECT c.family_name, c.given_name, count(*)::int AS n FROM journal_entries j JOIN clients c ON c.id = j.client_id
     GROUP BY c.id ORDER BY n DESC, c.family_name LIMIT 1`,
  );
  journalClient = { familyName: rows[0]!.family_name, givenName: rows[0]!.given_name, entries: rows[0]!.n };
  browser = await launchChromium();
  page = browser.page;
  await page.goto(stack.host.url);
});
afterAll(async () => {
  await card?.close();
  await browser?.close();
  await stack?.stop();
});

describe('an unreadable local store in the browser', () => {
  it('a first login fills the store; after logout its file is corrupted on disk', async () => {
    await login();
    await page.getByRole('navigation', { name: 'Huvudmeny' }).waitFor({ timeout: LIVE_WAIT_MS });
    await page.getByRole('button', { name: 'Brukare' }).click();
    await expect.poll(() => clientList().getByRole('listitem').count(), { timeout: LIVE_WAIT_MS }).toBeGreaterThan(1);
    await page.getByRole('button', { name: 'Logga ut' }).click();
    await page.getByRole('heading', { level: 1, name: /Logga in|Arbetsstationen är låst/ }).waitFor({ timeout: LIVE_WAIT_MS });
    await card?.close();
    card = undefined;
    await page.getByText('Sätt i ditt e-tjänstekort i kortläsaren.').waitFor({ timeout: LIVE_WAIT_MS });
    await expect.poll(storeState, { timeout: LIVE_WAIT_MS }).toBe('closed');
    const file = localStoreFile(stack.dataDir, HSA);
    const bytes = readFileSync(file);
    randomBytes(4096).copy(bytes, 0);
    writeFileSync(file, bytes);
  });

  it('the next login shows the Swedish alert dialog with the cause, focus on its main button, axe clean', async () => {
    await login();
    await dialog().waitFor({ timeout: LIVE_WAIT_MS }).catch(async (e: unknown) => {
      await shot('store-unreadable-FAILED');
      throw new Error(`no dialog; store ${await storeState()}: ${String(e)}`);
    });
    expect(await dialog().getAttribute('aria-modal')).toBe('true');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Uppgifterna på den här datorn går inte att läsa');
    const text = await dialog().innerText();
    expect(text).toContain('Orsak: Filen är skadad, eller så passar nyckeln på datorn inte till den.');
    expect(text).toContain('Den gamla filen raderas inte');
    expect(text).toContain('finns det kvar i den undansparade filen');
    const button = page.getByRole('button', { name: 'Hämta uppgifterna på nytt från servern' });
    await expect.poll(() => button.evaluate((el) => el === document.activeElement)).toBe(true);
    // The app behind is not shown: no menu to wander into while the store is unreadable.
    expect(await page.getByRole('navigation', { name: 'Huvudmeny' }).count()).toBe(0);
    await shot('store-unreadable');
    expect(await axeViolations(page)).toEqual([]);
  });

  it.skipIf(!canMakeImmutable)('a resync that fails says so in the dialog, keeps focus on the button, and nothing is moved or lost', async () => {
    const storesDir = path.dirname(localStoreFile(stack.dataDir, HSA));
    const before = readdirSync(storesDir).sort();
    const button = page.getByRole('button', { name: 'Hämta uppgifterna på nytt från servern' });
    // Immutable: not even root can move the files.
    await whileImmutable(storesDir, async () => {
      await button.click();
      await dialog().getByRole('alert').waitFor({ timeout: LIVE_WAIT_MS });
    });
    const alert = await dialog().getByRole('alert').innerText();
    expect(alert).toContain('Det gick inte att hämta uppgifterna på nytt: Den gamla filen kunde inte flyttas undan');
    expect(alert).toContain('Inget har raderats.');
    await expect.poll(() => button.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(readdirSync(storesDir).sort()).toEqual(before);
    await shot('store-unreadable-failed');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('"Hämta uppgifterna på nytt från servern": the old file is kept aside and the dialog says where', async () => {
    const before = readdirSync(path.dirname(localStoreFile(stack.dataDir, HSA)));
    await page.getByRole('button', { name: 'Hämta uppgifterna på nytt från servern' }).click();
    await page.getByRole('heading', { name: 'Uppgifterna hämtas på nytt' }).waitFor({ timeout: LIVE_WAIT_MS });
    const text = await dialog().innerText();
    const storesDir = path.dirname(localStoreFile(stack.dataDir, HSA));
    expect(text).toContain(storesDir);
    const aside = readdirSync(storesDir).filter((f) => !before.includes(f));
    const db = aside.find((f) => /\.db\.unreadable-[\dT-]+Z$/.test(f))!;
    expect(db).toBeDefined();
    expect(aside).toContain(`${db}.key`);
    expect(text).toContain(db);
    expect(existsSync(path.join(storesDir, db))).toBe(true);
    const continueButton = page.getByRole('button', { name: 'Fortsätt' });
    await expect.poll(() => continueButton.evaluate((el) => el === document.activeElement)).toBe(true);
    await shot('store-resynced');
    expect(await axeViolations(page)).toEqual([]);
    await continueButton.click();
  });

  it('the app continues: the client list and the journal come back from the server', async () => {
    await page.getByRole('navigation', { name: 'Huvudmeny' }).waitFor({ timeout: LIVE_WAIT_MS });
    await page.getByRole('button', { name: 'Brukare' }).click();
    await expect.poll(() => clientList().getByRole('listitem').count(), { timeout: LIVE_WAIT_MS }).toBeGreaterThan(1);
    await page.getByLabel('Sök brukare (namn eller personnummer)').fill(journalClient.familyName);
    const item = clientList().getByRole('listitem').filter({ hasText: `${journalClient.familyName}, ${journalClient.givenName}` });
    await expect.poll(() => item.count(), { timeout: LIVE_WAIT_MS }).toBeGreaterThan(0);
    await item.first().getByRole('button').click();
    await page.getByRole('tab', { name: 'Journal' }).waitFor();
    const timeline = page.getByRole('list', { name: 'Journalanteckningar, nyaste först' });
    await expect.poll(() => timeline.getByRole('listitem').count(), { timeout: LIVE_WAIT_MS }).toBe(Math.min(journalClient.entries, 50));
    expect(await page.getByRole('alertdialog').count()).toBe(0);
    await shot('store-resynced-journal');
  });
});
