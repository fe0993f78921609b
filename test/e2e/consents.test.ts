import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../support/axe';
import { LIVE_WAIT_MS, loginAtReader, saveScreenshot } from '../support/e2e-page';
import { startStack, type Stack } from '../support/stack';
import { twoWorkstations, type TwoWorkstations } from '../support/two-workstations';

/**
 * The consent register end to end (docs/consents.md), real pcscd with both vpcd readers, Debian
 * Chromium, two workstations on one server: Anna records on the client's "Samtycken" tab a consent
 * about "Annat" — saving before choosing what it concerns, without its text and without the
 * client's answer is said on the page in Swedish and loses nothing filled in; Sara's workstation of
 * the same unit shows it by the sync, and she withdraws it with a reason; Anna's page shows the
 * withdrawal beside the consent as recorded.
 */
let stack: Stack;
let two: TwoWorkstations | undefined;
let anna: Page;
let sara: Page;
let client: { id: string; given_name: string; family_name: string };
const OTHER = 'Kontakt med gode mannen om ekonomin';

const openConsents = async (page: Page) => {
  await page.getByRole('button', { name: 'Brukare' }).click();
  await page.getByLabel(/^Sök brukare/).fill(client.family_name);
  await page.getByRole('button', { name: new RegExp(`${client.family_name}, ${client.given_name}`) }).first().click({ timeout: LIVE_WAIT_MS });
  await page.getByRole('tab', { name: 'Samtycken' }).click();
  await page.getByRole('heading', { name: 'Samtycken' }).waitFor();
};

beforeAll(async () => {
  stack = await startStack('e2e_consents');
  const annaCard = await stack.issueCard({ hsaId: 'SE2321000131-P000000000101', givenName: 'Anna', familyName: 'Lindqvist', pin: '654321' });
  const saraCard = await stack.issueCard({ hsaId: 'SE2321000131-P000000000103', givenName: 'Sara', familyName: 'Nyström', pin: '123456' });
  // A client of Majorna without demo consents (the demo gives the first client of a unit two).
  const { rows } = await stack.db.query<typeof client>(
    `SELECT c.id, c.given_name, c.family_name FROM clients c JOIN units u ON u.id = c.unit_id
      WHERE u.name = 'Hemtjänst Majorna' AND NOT EXISTS (SELECT 1 FROM consents s WHERE s.client_id = c.id) ORDER BY c.family_name, c.given_name LIMIT 1`,
  );
  client = rows[0]!;
  two = await twoWorkstations(stack, { card: annaCard, pin: '654321' }, { card: saraCard, name: 'e2e-consents-sara' });
  anna = two.first;
  sara = two.secondPage;
}, 120_000);
afterAll(async () => {
  await two?.close();
  await stack?.stop();
});

describe('a consent', () => {
  it('is recorded on the client’s page: the topic and the answer chosen, bad input said in Swedish with nothing lost', async () => {
    await openConsents(anna);
    await anna.getByText('Inga samtycken är registrerade för brukaren.').waitFor();
    await anna.getByRole('button', { name: 'Registrera samtycke' }).click();
    const form = anna.getByRole('form', { name: 'Nytt samtycke' });
    const alert = form.getByRole('alert');
    await form.getByLabel('Anteckning (valfritt)').fill('Brukaren sa ja vid besöket.');
    await form.getByRole('button', { name: 'Spara samtycket' }).click();
    await alert.filter({ hasText: 'Välj vad samtycket gäller.' }).waitFor();
    await form.getByLabel('Vad gäller samtycket?').selectOption({ label: 'Annat' });
    await form.getByRole('button', { name: 'Spara samtycket' }).click();
    await alert.filter({ hasText: 'Skriv vad samtycket gäller när du väljer ”Annat”.' }).waitFor();
    await form.getByLabel('Beskriv vad samtycket gäller').fill(OTHER);
    // The answer has no default: nothing is checked until the staff member chooses.
    expect(await form.getByRole('radio', { checked: true }).count()).toBe(0);
    await form.getByRole('button', { name: 'Spara samtycket' }).click();
    await alert.filter({ hasText: 'Välj brukarens svar: lämnat eller nekat.' }).waitFor();
    await form.getByRole('radio', { name: 'Samtycke lämnat' }).check();
    await form.getByRole('button', { name: 'Spara samtycket' }).click();
    await alert.filter({ hasText: 'Välj om svaret lämnades muntligt eller skriftligt.' }).waitFor();
    // Nothing filled in was lost on the way.
    expect(await form.getByLabel('Anteckning (valfritt)').inputValue()).toBe('Brukaren sa ja vid besöket.');
    expect(await form.getByLabel('Beskriv vad samtycket gäller').inputValue()).toBe(OTHER);
    await form.getByRole('radio', { name: 'Skriftligt' }).check();
    await form.getByRole('button', { name: 'Spara samtycket' }).click();
    await anna.getByRole('status').filter({ hasText: 'Samtycket är registrerat' }).waitFor();
    const item = anna.getByRole('list', { name: 'Samtycken' }).getByRole('listitem');
    await expect.poll(() => item.count()).toBe(1);
    expect(await item.first().innerText()).toContain(`Annat: ${OTHER}`);
    await expect.poll(() => item.first().innerText(), { timeout: LIVE_WAIT_MS }).not.toContain('Ej skickat');
    expect(await axeViolations(anna)).toEqual([]);
    const { rows } = await stack.db.query<{ topic: string; other_text: string; answer: string; form: string; author_name: string }>(
      'SELECT topic, other_text, answer, form, author_name FROM consents WHERE client_id = $1',
      [client.id],
    );
    expect(rows).toEqual([{ topic: 'other', other_text: OTHER, answer: 'given', form: 'written', author_name: 'Anna Lindqvist' }]);
  });

  it('reaches the unit’s other workstation by the sync, is withdrawn there, and the withdrawal shows beside it on the first', async () => {
    await sara.goto(two!.second.host.url);
    await loginAtReader(sara, 'Virtual PCD 00 01', '123456');
    await sara.getByRole('navigation').waitFor({ timeout: LIVE_WAIT_MS });
    await openConsents(sara);
    const item = sara.getByRole('list', { name: 'Samtycken' }).getByRole('listitem').filter({ hasText: OTHER });
    await item.waitFor({ timeout: LIVE_WAIT_MS });
    expect(await item.innerText()).toContain('Registrerat av Anna Lindqvist');
    await item.getByRole('button', { name: 'Återkalla' }).click();
    const withdraw = item.getByRole('form', { name: 'Återkalla samtycket' });
    await withdraw.getByRole('button', { name: 'Återkalla samtycket' }).click();
    await withdraw.getByRole('alert').filter({ hasText: 'Skriv skälet till återkallelsen.' }).waitFor();
    await withdraw.getByLabel('Skäl').fill('Brukaren vill inte längre att gode mannen kontaktas.');
    await withdraw.getByRole('button', { name: 'Återkalla samtycket' }).click();
    await item.getByText(/^Återkallat \d{4}-\d{2}-\d{2}$/).waitFor();

    const onAnna = anna.getByRole('list', { name: 'Samtycken' }).getByRole('listitem').filter({ hasText: OTHER });
    await onAnna.getByText(/^Återkallat /).waitFor({ timeout: LIVE_WAIT_MS });
    const text = await onAnna.innerText();
    expect(text).toContain('Samtycke lämnat');
    expect(text).toContain('Återkallelsen registrerad av Sara Nyström');
    expect(text).toContain('Skäl: Brukaren vill inte längre att gode mannen kontaktas.');
    expect(await onAnna.getByRole('button', { name: 'Återkalla' }).count()).toBe(0);
    await saveScreenshot(anna, 'i26-consent-withdrawn');
    const { rows } = await stack.db.query<{ withdrawn_by_name: string; other_text: string }>('SELECT withdrawn_by_name, other_text FROM consents WHERE client_id = $1', [client.id]);
    expect(rows).toEqual([{ withdrawn_by_name: 'Sara Nyström', other_text: OTHER }]);
  });
});
