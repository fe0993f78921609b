import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChallengeResponse, LoginResponse } from '#contract';
import { cardAccessOver } from '../../../main/session/card-access';
import { DemoInProcessReader } from '../../../native/softcard';
import { makeOtp, newYubikeySecret } from '../../../server/auth/password/yubikey-otp';
import { issuePersonCard } from '../../../tools/pki';
import { startStack, type Stack } from '../../support/stack';
import { loginToken } from '../../unit/server/auth-suite';

/**
 * The workstation's card-less login (issue 29) against the real server on PostgreSQL, through its
 * API as the renderer calls it: password, then the YubiKey's OTP. The second step's token never
 * reaches the renderer; the server's refusals arrive with their codes (Swedish at the UI's edge).
 * No card reader is used (an empty in-process reader).
 */
let stack: Stack;
const KEY = newYubikeySecret();
const PASSWORD = 'Sommar i Majorna 2026';

beforeAll(async () => {
  stack = await startStack('password_session', { card: cardAccessOver(new DemoInProcessReader('Testläsare')) });
  const peter = await issuePersonCard(stack.pki, { hsaId: 'SE2321000131-P000000000107', givenName: 'Peter', familyName: 'Svensson', algorithm: 'ec', withSignatureKey: false });
  const { nonce } = ChallengeResponse.parse(await (await fetch(`${stack.serverUrl}/api/v1/auth/challenge`, { method: 'POST' })).json());
  const login = await fetch(`${stack.serverUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(await loginToken(peter, nonce, stack.serverUrl)) });
  const { token } = LoginResponse.parse(await login.json());
  const annaId = (await stack.db.query<{ id: string }>(`SELECT id FROM staff WHERE hsa_id = 'SE2321000131-P000000000101'`)).rows[0]!.id;
  for (const [url, body] of [
    ['/api/v1/admin/credentials/methods', { passwordSms: true, passwordYubikey: true }],
    ['/api/v1/admin/credentials/password', { staffId: annaId, username: 'anna.lindqvist', password: PASSWORD, phone: null }],
    ['/api/v1/admin/credentials/yubikeys', { staffId: annaId, verification: 'local', ...KEY }],
  ] as const) {
    const res = await fetch(`${stack.serverUrl}${url}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    expect(res.status, await res.clone().text()).toBe(200);
  }
}, 120_000);
afterAll(async () => stack?.stop());

const call = (method: string, input: unknown = {}) => stack.workstation.dispatch(method, input);

describe('password + YubiKey through the workstation', () => {
  it('a code before any password step is refused; a wrong password answers CREDENTIALS_INVALID', async () => {
    const early = await call('session.passwordVerify', { code: makeOtp(KEY, 1, 0) });
    expect(early.ok === false && early.error.code).toBe('OTP_INVALID');
    const wrong = await call('session.passwordStart', { username: 'anna.lindqvist', password: 'inte mitt lösenord' });
    expect(wrong.ok === false && wrong.error.code).toBe('CREDENTIALS_INVALID');
  });

  it('password, then the OTP: an active session on no card, at LoA2; the step token stays in main', async () => {
    const step = await call('session.passwordStart', { username: 'anna.lindqvist', password: PASSWORD });
    expect(step.ok).toBe(true);
    expect(step.ok && step.value).toEqual({ method: 'password_yubikey', expiresAt: expect.any(String) });
    const r = await call('session.passwordVerify', { code: makeOtp(KEY, 2, 0) });
    expect(r.ok && r.value).toMatchObject({ state: 'active', user: { hsaId: 'SE2321000131-P000000000101' } });
    const units = await call('units.list');
    expect(units.ok).toBe(true);
    const { rows } = await stack.db.query(`SELECT auth_method, loa FROM auth_sessions s JOIN staff p ON p.id = s.staff_id WHERE p.hsa_id = 'SE2321000131-P000000000101' AND s.revoked_at IS NULL`);
    expect(rows).toEqual([{ auth_method: 'password_yubikey', loa: 2 }]);
    // The step is spent: the same call again has nothing to verify.
    const again = await call('session.passwordVerify', { code: makeOtp(KEY, 3, 0) });
    expect(again.ok === false && again.error.code).toBe('OTP_INVALID');
    await call('session.logout');
  });
});
