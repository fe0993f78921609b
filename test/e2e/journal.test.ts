import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InsertedCard } from '../../native/softcard';
import { axeViolations } from '../support/axe';
import { launchChromium } from '../support/chromium';
import { loginWithCard, saveScreenshot, LIVE_WAIT_MS } from '../support/e2e-page';
import { startStack, type Stack } from '../support/stack';

/**
 * The journal and day notes for real: Chromium → browser host → workstation → pcscd → software
 * card, and the server on PostgreSQL. Immutability in the database itself (a direct SQL UPDATE
 * fails) is tested server-side: test/unit/server/sync-suite.ts ("immutable journal"), on PGlite
 * and PostgreSQL.
 */
let stack: Stack;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let sara: string;
let card: InsertedCard | undefined;
let clientId: string;

const shot = (name: string) => saveScreenshot(page, name);
const login = async () => {
  card = await loginWithCard(page, sara);
  await page.getByRole('navigation', { name: 'Huvudmeny' }).waitFor({ timeout: LIVE_WAIT_MS });
};
const timeline = () => page.getByRole('list', { name: 'Journalanteckningar, nyaste först' });
const entry = (text: string) => timeline().getByRole('listitem').filter({ hasText: text });

beforeAll(async () => {
  // Through the fault proxy: one test makes the server fail one entry (a poison pill); it is set
  // aside once it has failed three times over at least 300 ms while another entry was applied.
  stack = await startStack('e2e_journal', { proxy: true, sync: { poisonMinSpanMs: 300 } });
  sara = await stack.issueCard({ hsaId: 'SE2321000131-P000000000103', givenName: 'Sara', familyName: 'Nyström', pin: '123456' });
  browser = await launchChromium();
  page = browser.page;
  await page.goto(stack.host.url);
  await login();
});
afterAll(async () => {
  await card?.close();
  await browser?.close();
  await stack?.stop();
});

describe('Brukare: journal and day notes', () => {
  it('lists the clients of the user\'s units and finds one by name', async () => {
    await page.getByRole('button', { name: 'Brukare' }).click();
    const list = page.getByRole('list', { name: 'Brukare' });
    await expect.poll(() => list.getByRole('listitem').count(), { timeout: LIVE_WAIT_MS }).toBeGreaterThan(1);
    const first = (await list.getByRole('listitem').first().innerText()).split(',')[0]!.trim();
    await page.getByLabel('Sök brukare (namn eller personnummer)').fill(first);
    await expect.poll(() => list.getByRole('listitem').first().innerText(), { timeout: LIVE_WAIT_MS }).toContain(first);
    await list.getByRole('button').first().click();
    await page.getByRole('tab', { name: 'Journal' }).waitFor();
    const { rows } = await stack.db.query<{ id: string }>('SELECT id FROM clients WHERE family_name = $1 LIMIT 1', [first]);
    clientId = rows[0]!.id;
  });

  it('writes an entry offline: shown at once as "Ej skickat", sent when the server is back', async () => {
    await stack.server.stop();
    await page.getByRole('button', { name: 'Ny journalanteckning' }).click();
    await page.getByLabel('Anteckning', { exact: true }).fill('Morgonbesök. Hjälp med dusch, brukaren åt frukost själv.');
    await page.getByLabel('Livsområde (valfritt)').selectOption('self_care');
    await page.getByRole('button', { name: 'Spara anteckningen' }).click();
    const e = entry('Morgonbesök. Hjälp med dusch');
    await expect.poll(() => e.count(), { timeout: LIVE_WAIT_MS }).toBe(1);
    expect(await e.getByText('Ej skickat').count()).toBe(1);
    expect(await e.innerText()).toContain('Sara Nyström, Undersköterska');
    expect(await e.innerText()).toContain('Personlig vård');
    await stack.server.start();
    await expect.poll(() => e.getByText('Ej skickat').count(), { timeout: LIVE_WAIT_MS }).toBe(0);
    const { rows } = await stack.db.query('SELECT 1 FROM journal_entries WHERE client_id = $1 AND text LIKE $2', [clientId, 'Morgonbesök. Hjälp med dusch%']);
    expect(rows.length).toBe(1);
  });

  it('an entry the server keeps failing while others are saved is set aside after three tries: the alert keeps the text, read-only and copyable; a restarted server gets it', async () => {
    const poison = 'Giftpiller från e2e: servern faller på just den här.';
    stack.proxy!.failPush = (body) => body.includes('Giftpiller från e2e');
    try {
      for (const text of [poison, 'Efter giftpillret: den här sparas.']) {
        await page.getByRole('button', { name: 'Ny journalanteckning' }).click();
        await page.getByLabel('Anteckning', { exact: true }).fill(text);
        await page.getByRole('button', { name: 'Spara anteckningen' }).click();
        await expect.poll(() => entry(text).count(), { timeout: LIVE_WAIT_MS }).toBe(1);
      }
      const alert = page.getByRole('alert').filter({ hasText: 'kunde inte sparas hos servern' });
      await alert.waitFor({ timeout: LIVE_WAIT_MS });
      const text = alert.getByRole('textbox', { name: 'Det du skrev' });
      expect(await text.inputValue()).toBe(poison);
      expect(await text.getAttribute('readonly')).not.toBeNull();
      await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(stack.host.url).origin });
      await alert.getByRole('button', { name: 'Kopiera texten' }).click();
      await alert.getByRole('button', { name: 'Kopierad' }).waitFor();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(poison);
      await shot('journal-poison-refusal');
      expect(await axeViolations(page)).toEqual([]);
      await alert.getByRole('button', { name: 'Stäng' }).click();
      await expect.poll(() => alert.count(), { timeout: LIVE_WAIT_MS }).toBe(0);
      // Set aside, not lost: the server fixed and restarted, it arrives.
      stack.proxy!.failPush = null;
      await stack.server.stop();
      await stack.server.start();
      await expect.poll(async () => (await stack.db.query('SELECT 1 FROM journal_entries WHERE text = $1', [poison])).rows.length, { timeout: LIVE_WAIT_MS }).toBe(1);
    } finally {
      stack.proxy!.failPush = null;
    }
  });

  it('opening the journal was a read in the access log', async () => {
    await expect.poll(async () => (await stack.db.query("SELECT 1 FROM access_log WHERE client_id = $1 AND action = 'read' AND record_type = 'journal'", [clientId])).rows.length, { timeout: LIVE_WAIT_MS }).toBeGreaterThan(0);
  });

  it('keeps a half-written entry through a pulled card (lock) and unlock', async () => {
    await page.getByRole('button', { name: 'Ny journalanteckning' }).click();
    await page.getByLabel('Anteckning', { exact: true }).fill('Halvskrivet: brukaren ville');
    await page.getByText(/Utkast sparat/).waitFor({ timeout: LIVE_WAIT_MS });
    await card?.close();
    card = undefined;
    await page.getByRole('heading', { name: 'Arbetsstationen är låst' }).waitFor({ timeout: LIVE_WAIT_MS });
    await login();
    await expect.poll(() => page.getByLabel('Anteckning', { exact: true }).inputValue(), { timeout: LIVE_WAIT_MS }).toBe('Halvskrivet: brukaren ville');
    expect(await page.getByText(/Ditt utkast från .* är återställt/).count()).toBe(1);
    await page.getByRole('button', { name: 'Släng utkastet' }).click();
    await page.getByRole('button', { name: 'Ja, släng utkastet' }).click();
  });

  it('felmarkera with a reason and a correction: the original struck through, who/when/why, linked both ways', async () => {
    const original = entry('Morgonbesök. Hjälp med dusch');
    await original.getByRole('button', { name: /^Felmarkera/ }).click();
    await page.getByLabel('Varför är anteckningen fel?').fill('Skrivet på fel dag');
    await page.getByLabel('Anteckning', { exact: true }).fill('Rättelse: morgonbesöket gällde dusch och påklädning.');
    await page.getByRole('button', { name: 'Felmarkera och spara rättelsen' }).click();
    // Each step waits for the state it asserts (the list re-renders as the save, the send and the
    // server's answer come in; on a busy machine each takes its time), never for a fixed time.
    await expect.poll(() => original.locator('del').count(), { timeout: LIVE_WAIT_MS }).toBe(1);
    await expect.poll(() => original.innerText(), { timeout: LIVE_WAIT_MS }).toMatch(/Felmarkerad .* av Sara Nyström, Undersköterska\. Orsak: Skrivet på fel dag/);
    const correction = entry('Rättelse: morgonbesöket');
    await expect.poll(() => correction.count(), { timeout: LIVE_WAIT_MS }).toBe(1);
    await expect.poll(() => page.getByText('Ej skickat').count(), { timeout: LIVE_WAIT_MS }).toBe(0);
    // Linked both ways, by the ids the entries have once sent.
    const links = async () => ({
      to: await original.getByRole('link', { name: 'Se rättelsen' }).getAttribute('href'),
      back: await correction.getByRole('link', { name: 'Visa den felmarkerade anteckningen' }).getAttribute('href'),
      ids: [`#${await correction.getAttribute('id')}`, `#${await original.getAttribute('id')}`],
    });
    await expect.poll(async () => {
      const l = await links();
      return [l.to, l.back].join(' ') === l.ids.join(' ');
    }, { timeout: LIVE_WAIT_MS }).toBe(true);
    await expect
      .poll(async () => (await stack.db.query<{ erroneous_reason: string }>("SELECT erroneous_reason FROM journal_entries WHERE client_id = $1 AND erroneous_at IS NOT NULL", [clientId])).rows.map((r) => r.erroneous_reason), { timeout: LIVE_WAIT_MS })
      .toEqual(['Skrivet på fel dag']);
    await shot('journal');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('copying text from the journal is a copy event in the access log', async () => {
    const id = (await entry('Rättelse: morgonbesöket').getAttribute('data-record-id'))!;
    await page.evaluate((recordId) => {
      const el = document.querySelector(`[data-record-id="${recordId}"] .entry-text`)!;
      const range = document.createRange();
      range.selectNodeContents(el);
      const sel = document.getSelection()!;
      sel.removeAllRanges();
      sel.addRange(range);
      el.dispatchEvent(new ClipboardEvent('copy', { bubbles: true, cancelable: true }));
    }, id);
    await expect.poll(async () => (await stack.db.query("SELECT 1 FROM access_log WHERE client_id = $1 AND action = 'copy' AND record_type = 'journal_entry' AND record_id = $2", [clientId, id])).rows.length, { timeout: LIVE_WAIT_MS }).toBe(1);
  });

  it('writes a day note and summarises the period into a journal draft; saving marks the note summarised', async () => {
    await page.getByRole('tab', { name: 'Daganteckningar' }).click();
    await page.getByLabel('Ny daganteckning').fill('Kaffet är slut, står på inköpslistan.');
    await page.getByRole('button', { name: 'Spara daganteckning' }).click();
    const notes = page.getByRole('list', { name: 'Daganteckningar, nyaste först' });
    await expect.poll(() => notes.getByRole('listitem').filter({ hasText: 'Kaffet är slut' }).count(), { timeout: LIVE_WAIT_MS }).toBe(1);
    await expect.poll(() => page.getByText('Ej skickat').count(), { timeout: LIVE_WAIT_MS }).toBe(0);
    await shot('daynotes');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Sammanfatta', exact: true }).click();
    // The notes of the period are listed to choose from (test/e2e/journal-print-dates.test.ts goes further).
    await page.getByRole('button', { name: /^Skapa journalutkast av/ }).click();
    const text = page.getByLabel('Anteckning', { exact: true });
    await expect.poll(() => text.inputValue(), { timeout: LIVE_WAIT_MS }).toContain('Sara Nyström: Kaffet är slut, står på inköpslistan.');
    expect(await text.inputValue()).toMatch(/^Sammanfattning av daganteckningar/);
    expect(await page.getByText(/Gjord av \d+ daganteckning/).count()).toBe(1);
    await text.fill(`${await text.inputValue()}\nKaffe köpt på torsdagen.`);
    await page.getByRole('button', { name: 'Spara anteckningen' }).click();
    await expect.poll(() => entry('Kaffe köpt på torsdagen').count(), { timeout: LIVE_WAIT_MS }).toBe(1);
    await expect.poll(async () => (await stack.db.query("SELECT 1 FROM day_notes WHERE client_id = $1 AND text = 'Kaffet är slut, står på inköpslistan.' AND summarised_at IS NOT NULL", [clientId])).rows.length, { timeout: LIVE_WAIT_MS }).toBe(1);
    await page.getByRole('tab', { name: 'Daganteckningar' }).click();
    await expect.poll(() => notes.getByRole('listitem').filter({ hasText: 'Kaffet är slut' }).getByText('Sammanfattad i journalen').count(), { timeout: LIVE_WAIT_MS }).toBe(1);
  });

  it('the unit-wide feed, reached from Enheter, names the client of each note', async () => {
    await page.getByRole('button', { name: 'Enheter' }).click();
    const { rows } = await stack.db.query<{ name: string; given_name: string; family_name: string }>(
      'SELECT u.name, c.given_name, c.family_name FROM clients c JOIN units u ON u.id = c.unit_id WHERE c.id = $1', [clientId]);
    const unit = rows[0]!;
    await page.getByRole('button', { name: `Daganteckningar för ${unit.name}` }).click();
    const feed = page.getByRole('list', { name: 'Daganteckningar, nyaste först' });
    const note = feed.getByRole('listitem').filter({ hasText: 'Kaffet är slut, står på inköpslistan.' });
    await expect.poll(() => note.count(), { timeout: LIVE_WAIT_MS }).toBe(1);
    expect(await note.innerText()).toContain(`${unit.given_name} ${unit.family_name}`);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: '← Tillbaka till enheterna' }).click();
    await page.getByRole('heading', { name: 'Enheter' }).waitFor();
  });
});
