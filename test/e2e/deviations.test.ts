import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChallengeResponse, DeviationCase, OfficerDeviation, PullResponse, swedishDate, type Change } from '#contract';
import { issuePersonCard } from '../../tools/pki/index';
import { axeViolations } from '../support/axe';
import { loginAtReader, saveScreenshot, LIVE_WAIT_MS } from '../support/e2e-page';
import { pdfText } from '../support/pdf-text';
import { startStack, type Stack } from '../support/stack';
import { twoWorkstations, type TwoWorkstations } from '../support/two-workstations';
import { loginToken } from '../unit/server/auth-suite';

/**
 * Deviations and lex Sarah end to end (issue 27; docs/deviations.md), real pcscd with both vpcd
 * readers, Debian Chromium, two workstations on one server: Anna (staff) reports a missed visit
 * from the assignment while the server is down (queued, "Ej skickad"; an unanswered question and a
 * time in the future are said on the page in Swedish), and it is sent when the server is back;
 * Karin (verksamhetsansvarig) receives it, investigates (refused in Swedish while the server is
 * down, nothing lost, written once when it is back), decides "Allvarligt
 * missförhållande", sees the two-week countdown to IVO, saves the IVO underlag as a PDF (read back
 * with pdftotext) and records the report to IVO; the case officer who sent the assignment reads it
 * (without the reporter; the read in the access log); another unit's manager and another
 * organisation's see nothing: 404 for the case, nothing in their lists or sync feeds.
 */
let stack: Stack;
let two: TwoWorkstations | undefined;
let staff: Page;
let manager: Page;
let assignment: { id: string; client_id: string; given_name: string; family_name: string; personnummer: string };
const DESCRIPTION = 'Lunchbesöket blev inte av: ingen på schemat.';

/** A session on the server through HTTP, as any workstation logs in (challenge, then the card's signature). */
async function serverSession(person: { hsaId: string; givenName: string; familyName: string }, officer = false) {
  const card = await issuePersonCard(stack.pki, { ...person, algorithm: 'ec', withSignatureKey: false });
  const post = (url: string, body: unknown) => fetch(`${stack.serverUrl}${url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const { nonce } = ChallengeResponse.parse(await (await post('/api/v1/auth/challenge', {})).json());
  const res = await post(officer ? '/api/v1/officer/auth/login' : '/api/v1/auth/login', await loginToken(card, nonce, stack.serverUrl));
  expect(res.status).toBe(200);
  const { token } = (await res.json()) as { token: string };
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  return {
    get: async (url: string) => {
      const r = await fetch(`${stack.serverUrl}${url}`, { headers: { authorization: headers.authorization } });
      return { status: r.status, text: await r.text() };
    },
    pull: async (): Promise<Change[]> => {
      const changes: Change[] = [];
      let cursors = {};
      for (;;) {
        const r = await fetch(`${stack.serverUrl}/api/v1/sync/pull`, { method: 'POST', headers, body: JSON.stringify({ cursors }) });
        const page = PullResponse.parse(await r.json());
        changes.push(...page.changes);
        cursors = page.cursors;
        if (!page.hasMore) return changes;
      }
    },
  };
}

beforeAll(async () => {
  stack = await startStack('e2e_deviations');
  const anna = await stack.issueCard({ hsaId: 'SE2321000131-P000000000101', givenName: 'Anna', familyName: 'Lindqvist', pin: '654321' });
  const karin = await stack.issueCard({ hsaId: 'SE2321000131-P000000000106', givenName: 'Karin', familyName: 'Holm', pin: '123456' });
  const { rows } = await stack.db.query<typeof assignment>(
    `SELECT a.id, a.client_id, c.given_name, c.family_name, c.personnummer FROM assignments a JOIN clients c ON c.id = a.client_id JOIN units u ON u.id = a.unit_id
      JOIN staff s ON s.id = a.sent_by_staff_id
      WHERE u.name = 'Hemtjänst Majorna' AND a.status = 'executed' AND s.hsa_id = 'SE2120001355-P000000000201' ORDER BY c.family_name LIMIT 1`,
  );
  assignment = rows[0]!;
  // Karin's card in the second reader, for her own workstation.
  two = await twoWorkstations(stack, { card: anna, pin: '654321' }, { card: karin, name: 'e2e-deviations-karin' });
  staff = two.first;
  manager = two.secondPage;
}, 120_000);
afterAll(async () => {
  await two?.close();
  await stack?.stop();
});

describe('a deviation', () => {
  it('is reported from the assignment while the server is down, and sent when it is back', async () => {
    // The assignment is in the store once the first sync has run.
    await staff.getByRole('button', { name: /^Inkorg/ }).click();
    const list = staff.getByRole('listbox', { name: 'Uppdrag' });
    const option = list.getByRole('option').filter({ hasText: assignment.family_name }).first();
    await option.waitFor({ timeout: LIVE_WAIT_MS });
    await stack.server.stop();
    await option.click();
    await staff.getByRole('button', { name: 'Rapportera avvikelse' }).click();

    const form = staff.getByRole('form', { name: 'Rapportera avvikelse' });
    await expect.poll(() => form.getByLabel('Brukare (valfritt)').inputValue(), { timeout: LIVE_WAIT_MS }).toBe(assignment.client_id);
    await form.getByLabel('Var hände det?').fill('Brukarens bostad');
    await form.getByRole('radio', { name: 'Verkställighet – uteblivet besök' }).check();
    await form.getByLabel('Vad hände?').fill(DESCRIPTION);
    await form.getByLabel('Konsekvens för brukaren').fill('Brukaren åt ingen lunch och tog inte sin medicin.');
    await form.getByLabel('Vad gjordes direkt?').fill('Ringde brukaren och skickade personal på eftermiddagen.');
    const mine = staff.getByRole('list', { name: 'Mina rapporter' }).getByRole('listitem');
    const alert = form.getByRole('alert');
    // The lex Sarah question has no default: unanswered, the report is not sent, and the page says so
    // in Swedish (not only the browser's bubble).
    await form.getByRole('button', { name: 'Skicka rapporten' }).click();
    await alert.filter({ hasText: 'Rapporten är inte skickad. Fyll i:' }).filter({ hasText: '(lex Sarah)?' }).waitFor();
    expect(await mine.count()).toBe(0);
    // Answered, the other two buttons of the group must not stay invalid from the first try (the
    // defect that kept this test skipped: the second press did nothing at all).
    await form.getByRole('radio', { name: 'Ja', exact: true }).check();
    // A time in the future (tomorrow) is refused at once, in Swedish, and nothing is queued.
    const date = form.getByRole('textbox', { name: 'Datum' });
    const today = await date.inputValue();
    await date.fill(swedishDate(new Date(), 1));
    await form.getByRole('button', { name: 'Skicka rapporten' }).click();
    await alert.filter({ hasText: 'Händelsen kan inte ha inträffat i framtiden.' }).waitFor();
    expect(await mine.count()).toBe(0);
    await date.fill(today);
    await form.getByRole('button', { name: 'Skicka rapporten' }).click();
    await mine.first().waitFor({ timeout: LIVE_WAIT_MS });
    expect(await mine.count()).toBe(1);
    expect(await alert.count()).toBe(0);
    expect(await mine.first().innerText()).toContain('Ej skickad');
    await staff.getByRole('status').filter({ hasText: 'Avvikelsen är rapporterad' }).waitFor();
    await saveScreenshot(staff, 'i27-deviation-reported-offline');
    expect(await axeViolations(staff)).toEqual([]);
    expect((await stack.db.query('SELECT 1 FROM deviations WHERE description = $1', [DESCRIPTION])).rows).toHaveLength(0);

    await stack.server.start();
    await expect.poll(() => mine.first().innerText(), { timeout: LIVE_WAIT_MS }).not.toContain('Ej skickad');
    expect(await mine.first().locator('.deviation-status').innerText()).toBe('Rapporterad');
    const { rows } = await stack.db.query<{ assignment_id: string; lex_sarah: string }>('SELECT assignment_id, lex_sarah FROM deviations WHERE description = $1', [DESCRIPTION]);
    expect(rows).toEqual([{ assignment_id: assignment.id, lex_sarah: 'yes' }]);
  });

  it('is received, investigated and decided "allvarligt" by the manager, who saves the IVO underlag and records the report to IVO', async () => {
    await manager.goto(two!.second.host.url);
    await loginAtReader(manager, 'Virtual PCD 00 01', '123456');
    await manager.getByRole('navigation').waitFor({ timeout: LIVE_WAIT_MS });
    await manager.getByRole('button', { name: 'Avvikelser' }).click();
    const item = manager.getByRole('list', { name: 'Att handlägga' }).getByRole('listitem').filter({ hasText: `${assignment.given_name} ${assignment.family_name}` }).filter({ hasText: 'uteblivet besök' });
    await item.first().waitFor({ timeout: LIVE_WAIT_MS });
    await item.first().getByRole('button', { name: 'Öppna' }).click();
    const open = item.first();
    await open.getByText(DESCRIPTION).waitFor();
    expect(await open.innerText()).toContain('Anna Lindqvist, Undersköterska');

    await open.getByRole('button', { name: 'Ta emot' }).click();
    await open.getByText('Handläggaren hos kommunen har informerats med ett säkert meddelande.').waitFor({ timeout: LIVE_WAIT_MS });
    const investigation = open.getByRole('form', { name: 'Utredning' });
    await investigation.getByLabel('Fakta').fill('Besöket föll bort när schemat byggdes om.');
    await investigation.getByLabel('Brukarens syn').fill('Brukaren var orolig och hungrig.');
    await investigation.getByLabel('Orsaker').fill('Ny planerare utan överlämning.');
    // The handling is online: with the server gone the step is refused in Swedish, nothing typed is
    // lost, and pressed again once the server is back it is written once (one id per step).
    await stack.server.stop();
    await investigation.getByRole('button', { name: 'Anteckna utredning' }).click();
    await open.getByRole('alert').filter({ hasText: 'Servern går inte att nå: handläggningen kräver anslutning.' }).waitFor({ timeout: LIVE_WAIT_MS });
    expect(await investigation.getByLabel('Brukarens syn').inputValue()).toBe('Brukaren var orolig och hungrig.');
    await stack.server.start();
    await investigation.getByRole('button', { name: 'Anteckna utredning' }).click();
    const decision = open.getByRole('form', { name: 'Bedömning' });
    await decision.waitFor();
    await decision.getByRole('radio', { name: 'Allvarligt missförhållande', exact: true }).check();
    await decision.getByLabel('Motivering').fill('Brukaren blev utan mat och läkemedel under en dag.');
    await decision.getByRole('button', { name: 'Anteckna bedömning' }).click();
    const due = swedishDate(new Date(), 14);
    await open.getByText(`Anmälan till IVO: 14 dagar kvar (senast ${due})`).first().waitFor({ timeout: LIVE_WAIT_MS });
    await saveScreenshot(manager, 'i27-deviation-decided');
    expect(await axeViolations(manager)).toEqual([]);

    // The browser host hands the PDF out as a download.
    const [download] = await Promise.all([manager.waitForEvent('download'), open.getByRole('button', { name: 'Skriv ut underlag för IVO (PDF)' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^lex-sarah-ivo-\d{4}-\d{2}-\d{2}-\d{6}\.pdf$/);
    const file = path.join(stack.dataDir, 'ivo.pdf');
    await download.saveAs(file);
    const text = (await pdfText(readFileSync(file))).replace(/\s+/g, ' ');
    for (const expected of [
      'Underlag för anmälan till IVO enligt lex Sarah',
      `${assignment.given_name}`,
      `${assignment.personnummer.slice(0, 8)}-${assignment.personnummer.slice(8)}`,
      'Lunchbesöket blev inte av',
      'Brukaren var orolig och hungrig',
      'Ny planerare utan överlämning',
      'Allvarligt missförhållande',
      `senast ${due}`,
      'av Undersköterska',
    ]) {
      expect(text).toContain(expected);
    }
    expect(text).not.toContain('Lindqvist');

    const ivo = open.getByRole('form', { name: 'Anmälan till IVO' });
    await ivo.getByLabel('IVO:s diarienummer').fill('3.5.1-12345/2026');
    await ivo.getByRole('button', { name: 'Anteckna anmälan' }).click();
    await open.getByText('Anmäld ' + swedishDate() + ', diarienummer 3.5.1-12345/2026').waitFor({ timeout: LIVE_WAIT_MS });
    const { rows } = await stack.db.query<{ status: string; decision: string; kinds: string[] }>(
      `SELECT d.status, d.decision, array_agg(s.kind ORDER BY s.at) AS kinds FROM deviations d JOIN deviation_steps s ON s.deviation_id = d.id WHERE d.description = $1 GROUP BY d.id`,
      [DESCRIPTION],
    );
    expect(rows).toEqual([{ status: 'decided', decision: 'serious', kinds: ['received', 'investigation', 'decision', 'ivo_report'] }]);
    // The reporter sees the status, not the investigation.
    await expect.poll(() => staff.getByRole('list', { name: 'Mina rapporter' }).innerText(), { timeout: LIVE_WAIT_MS }).toContain('Bedömd');
  });

  it('is read by the case officer of the assignment, without the reporter, and the read is logged', async () => {
    const officer = await serverSession({ hsaId: 'SE2120001355-P000000000201', givenName: 'Maria', familyName: 'Ek' }, true);
    const { rows } = await stack.db.query<{ id: string }>('SELECT id FROM deviations WHERE description = $1', [DESCRIPTION]);
    const id = rows[0]!.id;
    const one = await officer.get(`/api/v1/officer/deviations/${id}`);
    expect(one.status, one.text).toBe(200);
    expect(OfficerDeviation.parse(JSON.parse(one.text))).toMatchObject({ decision: 'serious', ivoReport: { reference: '3.5.1-12345/2026' } });
    expect(one.text).not.toContain('Lindqvist');
    const { rows: log } = await stack.db.query(`SELECT 1 FROM access_log a JOIN staff s ON s.id = a.actor_staff_id WHERE s.hsa_id = 'SE2120001355-P000000000201' AND a.record_id = $1 AND a.action = 'read'`, [id]);
    expect(log.length).toBe(1);
    const { rows: threads } = await stack.db.query('SELECT 1 FROM message_threads WHERE assignment_id = $1', [assignment.id]);
    expect(threads.length).toBeGreaterThan(0);
  });

  it('is nothing to another unit’s manager or another organisation’s: 404, not in their lists or feeds', async () => {
    const { rows } = await stack.db.query<{ id: string; unit: string; org: string; daglig: string }>(
      `SELECT d.id, d.unit_id AS unit, u.organisation_id AS org, (SELECT id FROM units WHERE name = 'Daglig verksamhet Hisingen') AS daglig FROM deviations d JOIN units u ON u.id = d.unit_id WHERE d.description = $1`,
      [DESCRIPTION],
    );
    const { id, unit: unitOfIt, org, daglig } = rows[0]!;
    const people = {
      otherUnit: { hsaId: 'SE2321000131-P000000000311', givenName: 'Dag', familyName: 'Chef' },
      otherOrg: { hsaId: 'SE2321000131-P000000000312', givenName: 'Olga', familyName: 'Annan' },
    };
    const { rows: other } = await stack.db.query<{ org: string; unit: string }>(
      `WITH o AS (INSERT INTO organisations (name, municipality) VALUES ('Annan Omsorg AB', 'Göteborg') RETURNING id)
       INSERT INTO units (organisation_id, name, service_type) SELECT id, 'Hemtjänst Annan', 'hemtjanst' FROM o RETURNING organisation_id AS org, id AS unit`,
    );
    for (const [p, organisation, unit] of [[people.otherUnit, org, daglig], [people.otherOrg, other[0]!.org, other[0]!.unit]] as const) {
      const { rows: s } = await stack.db.query<{ id: string }>(
        `INSERT INTO staff (hsa_id, given_name, family_name, title, role, organisation_id) VALUES ($1, $2, $3, 'Enhetschef', 'manager', $4) RETURNING id`,
        [p.hsaId, p.givenName, p.familyName, organisation],
      );
      await stack.db.query(`INSERT INTO role_grants (staff_id, organisation_id, unit_id, role, valid_from, confirmed_at) VALUES ($1, $2, $3, 'manager', '2025-01-01', now())`, [s[0]!.id, organisation, unit]);
      await stack.db.query(`INSERT INTO permissions (staff_id, unit_id, valid_from) VALUES ($1, $2, '2025-01-01')`, [s[0]!.id, unit]);
    }
    for (const p of Object.values(people)) {
      const them = await serverSession(p);
      expect((await them.get(`/api/v1/deviations/${id}`)).status).toBe(404);
      const list = await them.get('/api/v1/deviations?state=all');
      expect(list.status).toBe(200);
      expect(list.text).not.toContain(id);
      expect(list.text).not.toContain(assignment.client_id);
      expect((await them.pull()).filter((c) => c.id === id)).toEqual([]);
      // Nor in their follow-up: the figures and patterns are of their own units only.
      const period = `from=${swedishDate(new Date(), -31)}&to=${swedishDate()}`;
      for (const url of [`/api/v1/deviation-stats?${period}`, `/api/v1/deviation-patterns?${period}`]) {
        const answer = await them.get(url);
        expect(answer.status, answer.text).toBe(200);
        expect(answer.text).not.toContain(unitOfIt);
        expect(answer.text).not.toContain(assignment.client_id);
      }
      expect((await them.get(`/api/v1/deviation-stats?${period}&unitId=${unitOfIt}`)).status).toBe(404);
    }
    // Karin, the organisation's manager, reads it; a colleague of Anna's unit (staff) is refused.
    const colleague = await serverSession({ hsaId: 'SE2321000131-P000000000102', givenName: 'Mohammed', familyName: 'Haddad' });
    expect((await colleague.get(`/api/v1/deviations/${id}`)).status).toBe(403);
    expect((await colleague.pull()).filter((c) => c.id === id)).toEqual([]);
    const karin = await serverSession({ hsaId: 'SE2321000131-P000000000106', givenName: 'Karin', familyName: 'Holm' });
    expect(DeviationCase.parse(JSON.parse((await karin.get(`/api/v1/deviations/${id}`)).text)).record.id).toBe(id);
  });
});
