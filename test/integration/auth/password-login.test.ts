/**
 * Password + one-time code (issue 29) through the running server on a real PostgreSQL: the
 * administrator enrols (card login, admin routes), staff log in with a password and an SMS code
 * (sent through a local gateway stand-in that records what it was asked to send) or a YubiKey OTP
 * (checked locally with the key's AES secret, or by a local Yubico validation server), and every
 * check refuses what it is there to refuse — a wrong or reused code, a replayed OTP, a late code,
 * too many tries (lockout until the administrator opens it), too many attempts (429 Retry-After),
 * a method the organisation does not allow. The code and the password are never in a log line.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialsResponse, LoginResponse, PasswordStartResponse, PersonCredentials, UnitsResponse } from '#contract';
import { createServer } from '../../../server/app';
import { makeOtp, newYubikeySecret } from '../../../server/auth/password/yubikey-otp';
import { type Db, openPostgres } from '../../../server/db';
import { generateTestPki } from '../../../tools/pki/index';
import { startSmsGateway, startYubicoValidation, type SmsGatewayStandIn, type YubicoStandIn } from '../../support/otp-stand-ins';
import { createSeededDatabase, type TestDatabase } from '../../support/postgres';
import { authOptions, sessionFor, testCard } from '../../unit/server/auth-suite';

const PETER = { hsaId: 'SE2321000131-P000000000107', givenName: 'Peter', familyName: 'Svensson' };
const PASSWORD = 'Sommar i Majorna 2026';
let database: TestDatabase;
let db: Db;
let app: FastifyInstance;
let sms: SmsGatewayStandIn;
let yubico: YubicoStandIn;
let adminToken: string;
let clock = Date.now();
const logLines: string[] = [];
const ids: Record<'anna' | 'mohammed' | 'elin' | 'jonas' | 'lena', string> = { anna: '', mohammed: '', elin: '', jonas: '', lena: '' };

const post = (url: string, payload: unknown, token?: string) =>
  app.inject({ method: 'POST', url, payload: payload as object, ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}) });
const admin = (path: string, payload: unknown) => post(`/api/v1/admin/credentials${path}`, payload, adminToken);
const start = (username: string, password = PASSWORD, method?: 'sms' | 'yubikey') => post('/api/v1/auth/password/start', { username, password, ...(method ? { method } : {}), workstation: 'WS-PROV' });
const verify = (loginToken: string, code: string) => post('/api/v1/auth/password/verify', { loginToken, code });
const codeOf = (text: string) => /(\d{6})/.exec(text)![1]!;

async function setPassword(staffId: string, username: string, phone: string | null) {
  const res = await admin('/password', { staffId, username, password: PASSWORD, phone });
  expect(res.statusCode, res.body).toBe(200);
  return PersonCredentials.parse(res.json());
}

beforeAll(async () => {
  database = await createSeededDatabase('password_login');
  db = await openPostgres({ connectionString: database.url });
  sms = await startSmsGateway();
  yubico = await startYubicoValidation();
  const pki = await generateTestPki();
  const stream = new Writable({ write(chunk, _enc, cb) { logLines.push(String(chunk)); cb(); } });
  app = createServer({
    db,
    version: 'test',
    logger: { stream, level: 'debug' },
    auth: authOptions(pki, {
      now: () => new Date(clock),
      rateLimit: { perCard: 8, perAddress: 1000 },
      passwordLogin: { sms: { url: sms.url, from: 'Omsorg' }, yubico: { url: yubico.url, clientId: yubico.clientId, apiKey: yubico.apiKey } },
    }),
    sync: { retentionIntervalMs: false },
  });
  await app.ready();
  adminToken = (await sessionFor(app, await testCard(pki, PETER))).token;
  const { rows } = await db.query<{ id: string; given_name: string }>(`SELECT id, given_name FROM staff`);
  const byName = (n: string) => rows.find((r) => r.given_name === n)!.id;
  Object.assign(ids, { anna: byName('Anna'), mohammed: byName('Mohammed'), elin: byName('Elin'), jonas: byName('Jonas'), lena: byName('Lena') });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await sms?.close();
  await yubico?.close();
  await db?.close();
  await database?.drop();
});

describe('the organisation decides which card-less logins it allows', () => {
  it('the demo organisation (Göteborg) starts with password + SMS only; the administrator changes it, and the change is logged', async () => {
    const list = CredentialsResponse.parse((await app.inject({ method: 'GET', url: '/api/v1/admin/credentials', headers: { authorization: `Bearer ${adminToken}` } })).json());
    expect(list.methods).toEqual({ passwordSms: true, passwordYubikey: false });
    expect(list.people.length).toBeGreaterThan(5);
    await setPassword(ids.jonas, 'jonas.berg', null);
    const key = newYubikeySecret();
    expect((await admin('/yubikeys', { staffId: ids.jonas, verification: 'local', ...key })).statusCode).toBe(200);
    // YubiKey not allowed yet: the right password still does not get a YubiKey login.
    expect((await start('jonas.berg', PASSWORD, 'yubikey')).json().error.code).toBe('LOGIN_METHOD_NOT_ALLOWED');
    const res = await admin('/methods', { passwordSms: true, passwordYubikey: true });
    expect(res.json()).toEqual({ passwordSms: true, passwordYubikey: true });
    const { rows } = await db.query(`SELECT 1 FROM access_log WHERE action = 'change' AND record_type = 'organisation_login_methods'`);
    expect(rows).toHaveLength(1);
  });

  it('only an administrator of the whole organisation manages credentials', async () => {
    expect((await post('/api/v1/admin/credentials/password', { staffId: ids.anna, username: 'anna.l', password: PASSWORD, phone: null })).statusCode).toBe(401);
  });
});

describe('password + SMS code', () => {
  beforeAll(async () => {
    await setPassword(ids.anna, 'anna.lindqvist', '+46701234567');
  });

  it('the code goes to her number through the gateway; it opens a session at LoA2 once, and is never logged', async () => {
    const s = PasswordStartResponse.parse((await start('Anna.Lindqvist')).json());
    expect(s).toMatchObject({ method: 'password_sms', phoneHint: '…67' });
    const sent = sms.sent.at(-1)!;
    expect(sent.to).toBe('+46701234567');
    expect(sent.text).toMatch(/Din engångskod till Omsorgsportalen: \d{6}\./);
    const code = codeOf(sent.text);
    const res = await verify(s.loginToken, code);
    expect(res.statusCode, res.body).toBe(200);
    const session = LoginResponse.parse(res.json());
    expect(session.user.hsaId).toBe('SE2321000131-P000000000101');
    expect(session.assurance).toEqual({ method: 'password_sms', loa: 2 });
    const units = await app.inject({ method: 'GET', url: '/api/v1/units', headers: { authorization: `Bearer ${session.token}` } });
    expect(UnitsResponse.parse(units.json()).units.length).toBeGreaterThan(0);
    // Used once: the same token and code again is refused.
    expect((await verify(s.loginToken, code)).json().error.code).toBe('OTP_INVALID');
    const { rows } = await db.query<{ auth_method: string; loa: number }>(`SELECT auth_method, loa FROM auth_sessions WHERE staff_id = $1`, [ids.anna]);
    expect(rows).toEqual([{ auth_method: 'password_sms', loa: 2 }]);
    const log = logLines.join('');
    expect(log).not.toContain(code);
    expect(log).not.toContain(PASSWORD);
    expect(log).not.toContain('+46701234567');
    const { rows: stored } = await db.query<{ code_mac: string }>('SELECT code_mac FROM password_logins');
    for (const r of stored) expect(r.code_mac).not.toContain(code);
  });

  it('a wrong code is refused; three tries end the login; a code after five minutes is refused', async () => {
    const s = PasswordStartResponse.parse((await start('anna.lindqvist')).json());
    const code = codeOf(sms.sent.at(-1)!.text);
    const wrong = code === '000000' ? '000001' : '000000';
    expect((await verify(s.loginToken, wrong)).statusCode).toBe(401);
    expect((await verify(s.loginToken, wrong)).json().error.code).toBe('OTP_INVALID');
    expect((await verify(s.loginToken, wrong)).json().error.code).toBe('OTP_INVALID');
    // The fourth try, with the right code: the login is spent.
    expect((await verify(s.loginToken, code)).json().error.code).toBe('OTP_INVALID');
    await app.inject({ method: 'POST', url: '/api/v1/admin/credentials/unlock', payload: { staffId: ids.anna }, headers: { authorization: `Bearer ${adminToken}` } });

    const late = PasswordStartResponse.parse((await start('anna.lindqvist')).json());
    const lateCode = codeOf(sms.sent.at(-1)!.text);
    clock += 5 * 60_000 + 1000;
    expect((await verify(late.loginToken, lateCode)).json().error.code).toBe('OTP_INVALID');
  });

  it('a gateway that fails: SMS_NOT_SENT (503), and no login waits for a code nobody got', async () => {
    sms.status = 500;
    const res = await start('anna.lindqvist');
    sms.status = 202;
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('SMS_NOT_SENT');
  });

  it('someone without a number cannot use SMS; an unknown name and a wrong password get the same answer', async () => {
    await setPassword(ids.elin, 'elin.johansson', null);
    expect((await start('elin.johansson')).json().error.code).toBe('LOGIN_METHOD_NOT_ALLOWED');
    const unknown = await start('ingen.alls');
    const wrong = await start('elin.johansson', 'fel lösenord här');
    expect([unknown.statusCode, wrong.statusCode]).toEqual([401, 401]);
    expect(unknown.json()).toEqual(wrong.json());
  });
});

describe('lockout and rate limits, as for cards', () => {
  it('five wrong passwords lock the account — then even the right one is refused until the administrator opens it', async () => {
    await setPassword(ids.mohammed, 'mohammed.haddad', '+46709876543');
    for (let i = 0; i < 4; i++) expect((await start('mohammed.haddad', `fel lösenord ${i}`)).json().error.code).toBe('CREDENTIALS_INVALID');
    expect((await start('mohammed.haddad', 'fel lösenord 5')).json().error.code).toBe('ACCOUNT_LOCKED');
    const locked = await start('mohammed.haddad');
    expect(locked.statusCode).toBe(403);
    expect(locked.json().error.code).toBe('ACCOUNT_LOCKED');
    const list = CredentialsResponse.parse((await app.inject({ method: 'GET', url: '/api/v1/admin/credentials', headers: { authorization: `Bearer ${adminToken}` } })).json());
    expect(list.people.find((p) => p.staffId === ids.mohammed)).toMatchObject({ locked: true, username: 'mohammed.haddad', phoneHint: '…43' });
    const unlocked = await admin('/unlock', { staffId: ids.mohammed });
    expect(unlocked.json()).toMatchObject({ locked: false });
    expect((await start('mohammed.haddad')).statusCode).toBe(200);
    const { rows } = await db.query(`SELECT 1 FROM access_log WHERE action = 'login_failed' AND error_code = 'ACCOUNT_LOCKED' AND actor_staff_id = $1`, [ids.mohammed]);
    expect(rows.length).toBe(2);
  });

  it('past the per-account limit in a window: 429 with Retry-After, whatever the password', async () => {
    clock += 60_000;
    const answers = [];
    for (let i = 0; i < 9; i++) answers.push(await start('elin.johansson', i % 2 ? PASSWORD : 'fel lösenord här'));
    const last = answers.at(-1)!;
    expect(last.statusCode).toBe(429);
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
    expect(last.json().error.code).toBe('RATE_LIMITED');
    // Wrong passwords counted toward the lockout too; the administrator opens it for the next tests.
    await admin('/unlock', { staffId: ids.elin });
    clock += 60_000;
  });
});

describe('password + YubiKey', () => {
  const local = newYubikeySecret();
  const remote = newYubikeySecret();

  it('locally verified (the key AES secret on the server): logs in at LoA2; the same OTP again, or an older one, is refused', async () => {
    await setPassword(ids.lena, 'lena.strom', '+46705550000');
    expect((await admin('/yubikeys', { staffId: ids.lena, verification: 'local', ...local, publicId: local.publicId.toUpperCase() })).statusCode).toBe(200);
    const s = PasswordStartResponse.parse((await start('lena.strom')).json());
    expect(s.method).toBe('password_yubikey');
    const otp = makeOtp(local, 7, 3);
    const res = await verify(s.loginToken, otp);
    expect(res.statusCode, res.body).toBe(200);
    expect(LoginResponse.parse(res.json()).assurance).toEqual({ method: 'password_yubikey', loa: 2 });

    const again = PasswordStartResponse.parse((await start('lena.strom')).json());
    expect((await verify(again.loginToken, otp)).json().error.code).toBe('OTP_INVALID');
    expect((await verify(again.loginToken, makeOtp(local, 6, 200))).json().error.code).toBe('OTP_INVALID');
    expect((await verify(again.loginToken, makeOtp(local, 7, 4))).statusCode).toBe(200);
    const { rows } = await db.query(`SELECT last_counter, last_session FROM yubikeys WHERE public_id = $1`, [local.publicId]);
    expect(rows).toEqual([{ last_counter: 7, last_session: 4 }]);
  });

  it('she may ask for SMS instead where the organisation allows both', async () => {
    const s = PasswordStartResponse.parse((await start('lena.strom', PASSWORD, 'sms')).json());
    expect(s.method).toBe('password_sms');
    expect((await verify(s.loginToken, codeOf(sms.sent.at(-1)!.text))).statusCode).toBe(200);
  });

  it("another person's key, a YubiKey OTP to an SMS login, and a typed six digits to a YubiKey login are refused", async () => {
    const other = newYubikeySecret();
    await admin('/yubikeys', { staffId: ids.jonas, verification: 'local', ...other });
    const s = PasswordStartResponse.parse((await start('lena.strom')).json());
    expect((await verify(s.loginToken, makeOtp(other, 1, 0))).json().error.code).toBe('OTP_INVALID');
    expect((await verify(s.loginToken, '123456')).json().error.code).toBe('OTP_INVALID');
    const viaSms = PasswordStartResponse.parse((await start('lena.strom', PASSWORD, 'sms')).json());
    expect((await verify(viaSms.loginToken, makeOtp(local, 8, 0))).json().error.code).toBe('OTP_INVALID');
    await admin('/unlock', { staffId: ids.lena });
  });

  it('verified by the Yubico validation service: OK logs in, a replay the service reports is refused', async () => {
    yubico.keys.set(remote.publicId, remote.aesKey);
    await admin('/yubikeys', { staffId: ids.lena, verification: 'yubico', publicId: remote.publicId });
    const before = yubico.requests;
    const s = PasswordStartResponse.parse((await start('lena.strom')).json());
    const otp = makeOtp(remote, 1, 0);
    expect((await verify(s.loginToken, otp)).statusCode).toBe(200);
    expect(yubico.requests).toBe(before + 1);
    const again = PasswordStartResponse.parse((await start('lena.strom')).json());
    expect((await verify(again.loginToken, otp)).json().error.code).toBe('OTP_INVALID');
  });

  it('a revoked key no longer logs in; revoking twice is one act; the key is never enrolled again', async () => {
    const first = await admin(`/yubikeys/${local.publicId}/revoke`, {});
    expect(PersonCredentials.parse(first.json()).yubikeys.map((k) => k.publicId)).not.toContain(local.publicId);
    expect((await admin(`/yubikeys/${local.publicId}/revoke`, {})).statusCode).toBe(200);
    const { rows } = await db.query(`SELECT 1 FROM access_log WHERE action = 'change' AND record_type = 'yubikey' AND record_id = $1`, [local.publicId]);
    expect(rows).toHaveLength(2); // enrolled, revoked
    const s = PasswordStartResponse.parse((await start('lena.strom')).json());
    expect((await verify(s.loginToken, makeOtp(local, 9, 0))).json().error.code).toBe('OTP_INVALID');
    const again = await admin('/yubikeys', { staffId: ids.lena, verification: 'local', ...local });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toMatch(/redan registrerad/);
  });

  it('enrolment is once per request id: the same id twice makes one key', async () => {
    const key = newYubikeySecret();
    const requestId = randomUUID();
    const body = { requestId, staffId: ids.jonas, verification: 'local', ...key };
    const [a, b] = [await admin('/yubikeys', body), await admin('/yubikeys', body)];
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    const { rows } = await db.query('SELECT 1 FROM yubikeys WHERE public_id = $1', [key.publicId]);
    expect(rows).toHaveLength(1);
  });

  it('bad input gets a Swedish 400, never a 500', async () => {
    const res = await admin('/yubikeys', { staffId: ids.jonas, verification: 'local', publicId: 'xyz', aesKey: 'nope', privateId: '1' });
    expect(res.statusCode).toBe(400);
    const weak = await admin('/password', { staffId: ids.jonas, username: 'jonas.berg', password: 'kort', phone: null });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error.message).toMatch(/minst 12 tecken/);
    const taken = await admin('/password', { staffId: ids.jonas, username: 'anna.lindqvist', password: PASSWORD, phone: null });
    expect(taken.statusCode).toBe(409);
    expect((await post('/api/v1/auth/password/verify', { loginToken: 'x', code: '1' })).statusCode).toBe(400);
  });
});
