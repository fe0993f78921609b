import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Assignment } from '#contract';
import { formatPersonnummer, swedishDate } from '#contract';
import type { InsertedCard } from '../../native/softcard';
import { runOfficer } from '../../tools/officer';
import { axeViolations } from '../support/axe';
import { launchChromium } from '../support/chromium';
import { LIVE_WAIT_MS, loginWithCard, saveScreenshot } from '../support/e2e-page';
import { officerLogin, type Officer } from '../support/officer';
import { startStack, type Stack } from '../support/stack';

/**
 * Secure messages end to end (docs/messages.md): the case officer writes about an assignment →
 * Anna (Hemtjänst Majorna), logged in with her card through pcscd, sees it arrive live in Chromium
 * without reloading (SSE → pull → store → data.changed; how fast is bench server's fan-out figure) with a notice, in Meddelanden and on the
 * assignment's page → opens it (a receipt) and replies → the officer reads the reply and Anna's
 * receipt with `npm run officer -- read`, and Anna sees the officer's receipt of her reply → Anna
 * attaches the client's journal as a PDF and the officer saves it (`attachment`) → Anna starts a
 * thread to the case officer by name, not the unit's inbox. Then the notice board: a planned
 * outage published by the officer warns at once (it starts within 24 hours), its banner appears
 * and disappears at its display times (the renderer's clock moved), and a withdrawn notice's
 * banner goes at once (`withdraw`).
 */
let stack: Stack;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let card: InsertedCard | undefined;
let officer: Officer;
let maria: string;
let assignment: Assignment;
let threadId = '';
const REF = `BIS-MEDD-${Date.now() % 100_000}`;
const SUBJECT = `Larmet hos brukaren ${REF}`;

const nav = (name: RegExp) => page.getByRole('navigation').getByRole('button', { name });

beforeAll(async () => {
  stack = await startStack('e2e_messages', { serverSync: { coalesceMs: 20 } });
  const anna = await stack.issueCard({ hsaId: 'SE2321000131-P000000000101', givenName: 'Anna', familyName: 'Lindqvist', pin: '123456' });
  maria = await stack.issueCard({ hsaId: 'SE2120001355-P000000000201', givenName: 'Maria', familyName: 'Ek' });
  officer = await officerLogin(stack.serverUrl, maria);
  const { rows } = await stack.db.query<{ personnummer: string }>(
    `SELECT c.personnummer FROM clients c JOIN units u ON u.id = c.unit_id WHERE u.name = 'Hemtjänst Majorna' ORDER BY c.family_name LIMIT 1`,
  );
  assignment = await officer.send({
    client: { personnummer: rows[0]!.personnummer.trim() },
    decision: { reference: REF, date: swedishDate(new Date(), -5) },
    services: [{ name: 'Hemtjänst – trygghetslarm', grantedHours: 2, per: 'month' }],
    startDate: swedishDate(new Date(), -3),
    freeText: '',
  });
  browser = await launchChromium();
  page = browser.page;
  await page.setViewportSize({ width: 1280, height: 900 });
  // The renderer's clock, controlled for the notice board (it runs in real time until moved).
  await page.clock.install();
  await page.goto(stack.host.url);
  card = await loginWithCard(page, anna);
  await page.getByRole('navigation').waitFor({ timeout: LIVE_WAIT_MS });
});
afterAll(async () => {
  await card?.close();
  await browser?.close();
  await stack?.stop();
});

describe('secure messages in Chromium', () => {
  it('the officer writes about an assignment: it arrives live, without reloading, with a notice and an unread count in the menu', async () => {
    await nav(/^Meddelanden/).click();
    await page.getByRole('heading', { name: 'Meddelanden', level: 2 }).waitFor();
    const sent = await officer.messages.start({ subject: SUBJECT, text: 'Trygghetslarmet har gått tre gånger i natt. Kan ni titta till brukaren i dag?', assignmentId: assignment.id });
    threadId = sent.thread.id;
    // Waits for the state, not a time: how fast it arrives is bench server's fan-out figure.
    await page.getByText('Nytt meddelande har kommit').waitFor({ timeout: LIVE_WAIT_MS });
    const item = page.getByRole('list', { name: 'Samtal' }).getByRole('button', { name: new RegExp(SUBJECT) });
    await item.waitFor({ timeout: LIVE_WAIT_MS });
    expect(await item.innerText()).toContain('1 oläst');
    expect(await nav(/^Meddelanden/).locator('.badge').innerText()).toBe('1');
    await saveScreenshot(page, 'messages-list');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('shows the thread on the assignment’s page', async () => {
    await page.getByRole('status').getByRole('button', { name: 'Stäng' }).click();
    await nav(/^Inkorg/).click();
    await page.getByLabel('Brukare', { exact: true }).fill(formatPersonnummer(assignment.client.personnummer));
    await page.getByRole('combobox', { name: 'Sortera' }).selectOption({ label: 'Senast mottagna' });
    const list = page.getByRole('listbox', { name: 'Uppdrag' });
    await expect.poll(() => list.getByRole('option').count(), { timeout: LIVE_WAIT_MS }).toBeGreaterThan(0);
    await list.getByRole('option').first().click();
    await page.getByText(REF).first().waitFor({ timeout: LIVE_WAIT_MS });
    const panel = page.getByRole('region', { name: 'Meddelanden' });
    await panel.getByRole('button', { name: new RegExp(SUBJECT) }).waitFor({ timeout: LIVE_WAIT_MS });
    await panel.getByRole('button', { name: new RegExp(SUBJECT) }).click();
  });

  it('opening the thread is reading it; the reply goes out and the officer reads it and Anna’s receipt', async () => {
    await page.getByRole('heading', { name: SUBJECT, level: 2 }).waitFor({ timeout: LIVE_WAIT_MS });
    expect(await page.getByText('Trygghetslarmet har gått tre gånger i natt.').count()).toBe(1);
    await expect.poll(async () => (await officer.messages.get(threadId)).messages[0]!.reads.map((r) => r.name), { timeout: LIVE_WAIT_MS }).toEqual(['Anna Lindqvist']);
    await expect.poll(() => nav(/^Meddelanden/).locator('.badge').count()).toBe(0);

    await page.getByLabel('Ditt svar').fill('Vi åker dit vid lunch och ringer larmcentralen.');
    await page.getByText('Utkastet är sparat.').waitFor({ timeout: LIVE_WAIT_MS });
    await page.getByRole('button', { name: 'Skicka' }).click();
    const mine = page.getByRole('article', { name: 'Meddelande från Anna Lindqvist' });
    await mine.waitFor();
    await expect.poll(() => mine.innerText(), { timeout: LIVE_WAIT_MS }).toContain('Ej läst ännu');

    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l), env: {} };
    expect(await runOfficer(['read', threadId.slice(0, 8), '--server', stack.serverUrl, '--card', maria], io), err.join('\n')).toBe(0);
    const printed = out.join('\n');
    expect(printed).toContain(`Samtal ${threadId.slice(0, 8)}: ${SUBJECT}`);
    expect(printed).toContain('Anna Lindqvist, Undersköterska');
    expect(printed).toContain('  Vi åker dit vid lunch och ringer larmcentralen.');
    expect(printed).toMatch(/Läst av: Anna Lindqvist \d/);

    // The officer's receipt reaches Anna live.
    await expect.poll(() => mine.innerText(), { timeout: LIVE_WAIT_MS }).toMatch(/Läst av Maria Ek \d/);
    await saveScreenshot(page, 'messages-thread');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('attaches the client’s journal as a PDF made now; the officer sees it in the thread and saves it, a PDF', async () => {
    const attach = page.getByRole('group', { name: 'Bifoga från brukarens dokumentation' });
    await attach.getByText('Att bifoga kräver anslutning till servern.', { exact: false }).waitFor();
    await page.getByLabel('Ditt svar').fill('Här är journalutdraget för veckan.');
    await attach.getByRole('button', { name: 'Bifoga journalutdrag' }).click();
    const open = page.getByRole('button', { name: /^Öppna bilaga: Journalutdrag \(PDF, \d+ kB\)$/ });
    await open.waitFor({ timeout: LIVE_WAIT_MS });
    expect(await page.getByRole('article').filter({ hasText: 'Här är journalutdraget för veckan.' }).count()).toBe(1);

    const detail = await officer.messages.get(threadId);
    const withPdf = detail.messages.find((m) => m.attachment)!;
    expect(withPdf).toMatchObject({ text: 'Här är journalutdraget för veckan.', author: { name: 'Anna Lindqvist' }, attachment: { kind: 'journal' } });
    const dir = mkdtempSync(path.join(tmpdir(), 'e2e-attachment-'));
    try {
      const out: string[] = [];
      const err: string[] = [];
      const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l), env: {} };
      const file = path.join(dir, 'bilaga.pdf');
      expect(await runOfficer(['attachment', withPdf.attachment!.id, '--out', file, '--server', stack.serverUrl, '--card', maria], io), err.join('\n')).toBe(0);
      expect(readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');
      expect(out.join('\n')).toContain('Journalutdrag sparad:');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await open.click();
    await page.getByRole('status').filter({ hasText: 'Bilagan är sparad:' }).waitFor({ timeout: LIVE_WAIT_MS });
    await saveScreenshot(page, 'i16-attachment');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('a new thread to a named person: the picker lists the unit’s colleagues and the case officer; without the inbox it reaches only her', async () => {
    await nav(/^Meddelanden/).click();
    await page.getByRole('button', { name: 'Nytt meddelande' }).click();
    const picker = page.getByRole('group', { name: 'Mottagare' });
    await picker.getByRole('group', { name: 'Handläggare' }).getByRole('checkbox', { name: 'Maria Ek, Biståndshandläggare' }).check();
    expect(await picker.getByRole('group', { name: 'Kollegor på enheten' }).getByRole('checkbox').count()).toBeGreaterThan(0);
    await picker.getByRole('checkbox', { name: /^Enhetens inkorg/ }).uncheck();
    const subject = `Fråga till handläggaren ${REF}`;
    await page.getByLabel('Ämne').fill(subject);
    await page.getByLabel('Meddelande', { exact: true }).fill('Kan vi ses om uppföljningen nästa vecka?');
    await saveScreenshot(page, 'i16-recipients');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Skicka' }).click();
    await page.getByRole('heading', { name: subject, level: 2 }).waitFor();
    await expect.poll(async () => (await officer.messages.list({ limit: '50' })).threads.find((t) => t.subject === subject)?.toUnit, { timeout: LIVE_WAIT_MS }).toBe(false);
  });

  it('a notice: the outage warning comes at once, the banner appears on every screen at its start and goes at its end', async () => {
    const now = Date.now();
    const at = (minutes: number) => new Date(now + minutes * 60_000).toISOString();
    const title = `Driftstopp ${REF}`;
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: () => undefined, env: {} };
    const flags = ['--title', title, '--text', 'Systemet uppdateras.', '--from', at(60), '--until', at(120), '--outage-start', at(90), '--outage-end', at(110)];
    expect(await runOfficer(['notice', ...flags, '--server', stack.serverUrl, '--card', maria], io)).toBe(0);
    expect(out[0]).toMatch(/^Meddelandet är publicerat på anslagstavlan för \d+ enheter\.$/);

    const warning = page.getByRole('alert').filter({ hasText: 'Planerat driftstopp inom 24 timmar' }).filter({ hasText: title });
    await warning.waitFor({ timeout: LIVE_WAIT_MS });
    await warning.getByRole('button', { name: 'Jag förstår' }).click();
    const banner = page.getByRole('complementary', { name: 'Meddelande från anslagstavlan' }).filter({ hasText: title });
    expect(await banner.count()).toBe(0);

    await page.clock.fastForward('01:00:02');
    await banner.waitFor({ timeout: LIVE_WAIT_MS });
    await nav(/^Brukare/).click();
    await banner.waitFor();
    await saveScreenshot(page, 'notice-banner');
    expect(await axeViolations(page)).toEqual([]);
    await banner.getByRole('button', { name: 'Läs mer' }).click();
    await page.getByRole('heading', { name: 'Anslagstavla', level: 2 }).waitFor();
    expect(await page.getByRole('heading', { name: title, level: 4 }).count()).toBe(1);

    await page.clock.fastForward('01:00:00');
    await banner.waitFor({ state: 'detached', timeout: LIVE_WAIT_MS });
  });

  it('a withdrawn notice: its banner goes from the screen at once', async () => {
    const now = await page.evaluate(() => Date.now());
    const title = `Återkallas ${REF}`;
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: () => undefined, env: {} };
    const flags = ['--title', title, '--text', 'Gäller inte längre.', '--from', new Date(now - 60_000).toISOString(), '--until', new Date(now + 3_600_000).toISOString()];
    expect(await runOfficer(['notice', ...flags, '--server', stack.serverUrl, '--card', maria], io)).toBe(0);
    const noticeId = /^Id ([0-9a-f-]{36}) /.exec(out[1] ?? '')?.[1];
    expect(noticeId).toBeDefined();
    const banner = page.getByRole('complementary', { name: 'Meddelande från anslagstavlan' }).filter({ hasText: title });
    await banner.waitFor({ timeout: LIVE_WAIT_MS });
    await saveScreenshot(page, 'i16-notice-before-withdraw');
    expect(await runOfficer(['withdraw', noticeId!, '--server', stack.serverUrl, '--card', maria], io)).toBe(0);
    expect(out.at(-1)).toMatch(/^Meddelandet är återkallat från anslagstavlan för \d+ enheter\.$/);
    await banner.waitFor({ state: 'detached', timeout: LIVE_WAIT_MS });
    await saveScreenshot(page, 'i16-notice-withdrawn');
  });
});
