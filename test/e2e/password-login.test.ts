/**
 * Logging in without the card (issue 29, docs/login.md "Lösenord och engångskod"), end to end in
 * Chromium against the real server on PostgreSQL: the administrator (card login over HTTP) allows
 * YubiKeys for the organisation and enrols Anna — a username, a password and a key whose AES
 * secret the server holds. Anna types her username and password on the login screen, then the
 * YubiKey "types" its 44-character OTP (made from the known key, as the key would): she is in at
 * LoA2 and sees the notice board and her messages. The same OTP again is refused in Swedish.
 * At LoA2 no client is visible: the clients screen is closed and says why and how to get in.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChallengeResponse, LoginResponse } from '#contract';
import { makeOtp, newYubikeySecret } from '../../server/auth/password/yubikey-otp';
import { issuePersonCard } from '../../tools/pki';
import type { launchChromium } from '../support/chromium';
import { clientsOf, expectClientsClosedAtLoa2, openHostPage, saveScreenshot, LIVE_WAIT_MS } from '../support/e2e-page';
import { startStack, type Stack } from '../support/stack';
import { loginToken } from '../unit/server/auth-suite';

const PASSWORD = 'Sommar i Majorna 2026';
const KEY = newYubikeySecret();
let stack: Stack;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let annaId = '';

async function asAdmin(url: string, body: object, token: string): Promise<void> {
  const res = await fetch(`${stack.serverUrl}${url}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(200);
}

beforeAll(async () => {
  stack = await startStack('e2e_password');
  // The administrator logs in with her card over HTTP (no reader needed for her) and enrols Anna.
  const peter = await issuePersonCard(stack.pki, { hsaId: 'SE2321000131-P000000000107', givenName: 'Peter', familyName: 'Svensson', algorithm: 'ec', withSignatureKey: false });
  const { nonce } = ChallengeResponse.parse(await (await fetch(`${stack.serverUrl}/api/v1/auth/challenge`, { method: 'POST' })).json());
  const login = await fetch(`${stack.serverUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(await loginToken(peter, nonce, stack.serverUrl)) });
  const { token } = LoginResponse.parse(await login.json());
  annaId = (await stack.db.query<{ id: string }>(`SELECT id FROM staff WHERE hsa_id = 'SE2321000131-P000000000101'`)).rows[0]!.id;
  await asAdmin('/api/v1/admin/credentials/methods', { passwordSms: true, passwordYubikey: true }, token);
  await asAdmin('/api/v1/admin/credentials/password', { staffId: annaId, username: 'anna.lindqvist', password: PASSWORD, phone: '+46701234567' }, token);
  await asAdmin('/api/v1/admin/credentials/yubikeys', { staffId: annaId, verification: 'local', ...KEY }, token);
  browser = await openHostPage(stack.host.url);
  page = browser.page;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('password + YubiKey login in Chromium', () => {
  it('a wrong password is refused in Swedish', async () => {
    await page.getByLabel('Användarnamn').fill('anna.lindqvist');
    await page.getByLabel('Lösenord').fill('inte mitt lösenord');
    await page.getByRole('button', { name: 'Fortsätt' }).click();
    await page.getByText('Fel användarnamn eller lösenord.').waitFor({ timeout: LIVE_WAIT_MS });
    // Nothing typed is kept: the password field is empty again.
    expect(await page.getByLabel('Lösenord').inputValue()).toBe('');
  });

  it('username and password, then the key: in at LoA2, with the notice board and messages', async () => {
    await page.getByLabel('Användarnamn').fill('anna.lindqvist');
    await page.getByLabel('Lösenord').fill(PASSWORD);
    await page.getByRole('button', { name: 'Fortsätt' }).click();
    await page.getByText('Sätt i din YubiKey och tryck på knappen på den.').waitFor({ timeout: LIVE_WAIT_MS });
    await saveScreenshot(page, 'password-login-yubikey-step');
    // The key types its OTP into the focused field.
    await page.getByLabel('Kod från YubiKey').fill(makeOtp(KEY, 1, 0));
    await page.getByRole('button', { name: 'Logga in' }).last().click();
    await page.getByRole('navigation').waitFor({ timeout: LIVE_WAIT_MS });
    const { rows } = await stack.db.query<{ auth_method: string; loa: number }>(`SELECT auth_method, loa FROM auth_sessions WHERE staff_id = $1 AND revoked_at IS NULL`, [annaId]);
    expect(rows).toEqual([{ auth_method: 'password_yubikey', loa: 2 }]);
    await page.getByRole('navigation').getByRole('button', { name: /^Anslagstavla/ }).click();
    await page.getByRole('heading', { name: 'Anslagstavla', level: 2 }).waitFor({ timeout: LIVE_WAIT_MS });
    await page.getByRole('navigation').getByRole('button', { name: /^Meddelanden/ }).click();
    await page.getByRole('heading', { name: 'Meddelanden', level: 2 }).waitFor({ timeout: LIVE_WAIT_MS });
    await saveScreenshot(page, 'password-login-in');
    // No client at LoA2: the clients screen is closed, says why and how to get in, and names none of hers.
    await expectClientsClosedAtLoa2(page, await clientsOf(stack.db, 'SE2321000131-P000000000101'));
    const { rows: log } = await stack.db.query(`SELECT 1 FROM access_log WHERE action = 'login' AND actor_staff_id = $1 AND auth_method = 'password_yubikey' AND loa = 2`, [annaId]);
    expect(log).toHaveLength(1);
  });

  it('after logging out, the same OTP again is refused in Swedish', async () => {
    await page.getByRole('button', { name: 'Logga ut' }).click();
    await page.getByLabel('Användarnamn').fill('anna.lindqvist');
    await page.getByLabel('Lösenord').fill(PASSWORD);
    await page.getByRole('button', { name: 'Fortsätt' }).click();
    await page.getByLabel('Kod från YubiKey').fill(makeOtp(KEY, 1, 0));
    await page.getByRole('button', { name: 'Logga in' }).last().click();
    await page.getByText('Engångskoden stämmer inte, har gått ut eller har redan använts.', { exact: false }).waitFor({ timeout: LIVE_WAIT_MS });
  });
});
