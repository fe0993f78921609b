import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertCardFile, type InsertedCard } from '../../native/softcard';
import { axeViolations } from '../support/axe';
import { launchChromium } from '../support/chromium';
import { loginAtReader, loginWithCard, saveScreenshot, LIVE_WAIT_MS } from '../support/e2e-page';
import type { FaultProxy } from '../support/fault-proxy';
import { startSecondWorkstation, startStack, type SecondWorkstation, type Stack } from '../support/stack';

/**
 * First-line support end to end (issue 17, docs/administration.md "Första linjens support"), two
 * workstations on one server, real pcscd with both vpcd readers, Debian Chromium. Anna's
 * workstation (staff, Hemtjänst Majorna) reaches the server through a proxy whose sync part is
 * down, and reports that of itself; Sara, the superuser, sees in Support that Anna's sync fails
 * and why (the code and its Swedish explanation), with no client anywhere on the screen, and sends
 * her a support message. When the sync part is back, the message arrives at Anna's workstation.
 */
const ANNA = { hsaId: 'SE2321000131-P000000000101', givenName: 'Anna', familyName: 'Lindqvist' };
let stack: Stack;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let sara: Page;
let anna: Page;
let other: (SecondWorkstation & { proxy: FaultProxy }) | undefined;
const cards: InsertedCard[] = [];

beforeAll(async () => {
  // The proxy in front of the server: the origin both workstations sign their logins for.
  stack = await startStack('e2e_support', { serverSync: { coalesceMs: 20 }, proxy: true });
  const saraCard = await stack.issueCard({ hsaId: 'SE2321000131-P000000000103', givenName: 'Sara', familyName: 'Nyström', pin: '123456' });
  const annaCard = await stack.issueCard({ ...ANNA, pin: '654321' });
  // Anna's own workstation; the proxy takes the sync part of the server down for her workstation only.
  const proxy = stack.proxy!;
  proxy.failRequest = (req) => req.headers['x-workstation'] === 'WS-ANNA' && (req.url ?? '').startsWith('/api/v1/sync/');
  const second = await startSecondWorkstation(stack.serverUrl, 'WS-ANNA', {
    sync: { backoff: { baseMs: 200, capMs: 1_000 }, events: { backoff: { baseMs: 200, capMs: 1_000 } } },
    support: { minGapMs: 300, intervalMs: 2_000 },
  });
  other = { ...second, proxy };
  browser = await launchChromium();
  sara = browser.page;
  await sara.setViewportSize({ width: 1280, height: 900 });
  await sara.goto(stack.host.url);
  cards.push(await loginWithCard(sara, saraCard));
  await sara.getByRole('navigation').waitFor({ timeout: LIVE_WAIT_MS });
  cards.push(await insertCardFile(annaCard, { port: 35964 }));
  anna = await browser.context.newPage();
  await anna.setViewportSize({ width: 1280, height: 900 });
});
afterAll(async () => {
  await Promise.all(cards.map((c) => c.close()));
  await browser?.close();
  await other?.close();
  await stack?.stop();
});

const annaRow = () => sara.getByRole('table', { name: 'Kollegornas arbetsstationer' }).getByRole('row').filter({ hasText: 'Anna Lindqvist' });

describe('first-line support', () => {
  it('staff have no Support screen: Anna logs in at her workstation, whose sync fails, and it reports so', async () => {
    await anna.goto(other!.host.url);
    await loginAtReader(anna, 'Virtual PCD 00 01', '654321');
    await anna.getByRole('navigation').waitFor({ timeout: LIVE_WAIT_MS });
    expect(await anna.getByRole('navigation').getByRole('button', { name: 'Support' }).count()).toBe(0);
    // Her workstation's own report, with the failed sync's code, is on the server.
    await expect
      .poll(async () => (await stack.db.query<{ sync_code: string | null }>(`SELECT r.sync_code FROM support_reports r JOIN staff s ON s.id = r.staff_id WHERE s.hsa_id = $1`, [ANNA.hsaId])).rows[0]?.sync_code, { timeout: LIVE_WAIT_MS })
      .toBe('SERVER_ERROR');
  });

  it('the superuser sees Anna’s workstation and why its sync fails, and no client; the screen is accessible', async () => {
    await sara.getByRole('navigation').getByRole('button', { name: 'Support' }).click();
    await sara.getByRole('heading', { name: 'Support', level: 2 }).waitFor();
    await expect.poll(() => annaRow().innerText(), { timeout: LIVE_WAIT_MS }).toContain('WS-ANNA');
    const row = await annaRow().innerText();
    expect(row).toContain('Misslyckades (SERVER_ERROR)');
    expect(row).toContain('läsare, kort isatt');
    await sara.getByRole('button', { name: 'Visa support för Anna Lindqvist' }).click();
    const detail = sara.getByRole('region', { name: 'Anna Lindqvist' });
    await expect
      .poll(() => detail.getByRole('list', { name: 'Vad som har gått fel' }).innerText())
      .toContain('Senaste synkroniseringen misslyckades (SERVER_ERROR): Servern kunde inte utföra åtgärden.');
    expect(await detail.innerText()).toContain('Enheter: Hemtjänst Majorna');
    // No client of any unit on the screen: neither a name nor a personnummer.
    const { rows } = await stack.db.query<{ personnummer: string; given_name: string; family_name: string }>('SELECT personnummer, given_name, family_name FROM clients');
    const screen = await sara.locator('main').innerText();
    for (const c of rows) {
      expect(screen).not.toContain(c.personnummer.trim());
      expect(screen).not.toContain(`${c.given_name} ${c.family_name}`);
    }
    expect(await axeViolations(sara)).toEqual([]);
    await saveScreenshot(sara, 'support-colleague-sync-fails');
  });

  it('sends Anna a support message; when her workstation reaches the sync again the message arrives, and her status is fine', async () => {
    const form = sara.getByRole('form', { name: 'Skicka supportmeddelande' });
    await form.getByLabel('Ämne').fill('Din synkronisering');
    await form.getByLabel('Meddelande').fill('Hej Anna! Din arbetsstation når inte servern. IT tittar på det; det du skriver sparas under tiden.');
    await form.getByRole('button', { name: 'Skicka' }).click();
    await sara.getByText('Meddelandet är skickat till Anna Lindqvist, som ser det under Meddelanden.').waitFor({ timeout: LIVE_WAIT_MS });
    expect(await axeViolations(sara)).toEqual([]);

    other!.proxy.failRequest = null;
    await anna.getByText('Nytt meddelande har kommit').waitFor({ timeout: LIVE_WAIT_MS });
    await anna.getByRole('navigation').getByRole('button', { name: /^Meddelanden/ }).click();
    await anna.getByRole('button', { name: /Din synkronisering/ }).first().click();
    await anna.getByText('Hej Anna! Din arbetsstation når inte servern.', { exact: false }).waitFor({ timeout: LIVE_WAIT_MS });
    await saveScreenshot(anna, 'support-message-arrived');

    await expect
      .poll(
        async () => {
          await sara.getByRole('button', { name: 'Uppdatera' }).click();
          return annaRow().innerText();
        },
        { timeout: LIVE_WAIT_MS, interval: 1_000 },
      )
      .toContain('Allt ser bra ut');
    await saveScreenshot(sara, 'support-colleague-fine');
  });
});
