import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { AppFailure, type ErrorCode, type LoginResponse, type Loa, type PasswordMethod, type PasswordStartRequest, type PasswordStartResponse, type PasswordVerifyRequest } from '#contract';
import type { AccessLog } from '../../audit/access-events';
import type { Db } from '../../db/types';
import type { AuthService } from '../service';
import { hashToken } from '../sessions';
import { dummyPasswordHash, verifyPassword } from './password-hash';
import { smsText, type SmsSender } from './sms-gateway';
import { activeYubikeys, advanceCounters, clearFailures, countFailure, credentialsByStaff, credentialsByUsername, organisationMethods, type CredentialRow } from './store';
import { verifyWithYubico, type YubicoConfig } from './yubico-client';
import { OTP_PATTERN, verifyLocally } from './yubikey-otp';

/** The second step's window and tries (docs/login.md "Lösenord och engångskod"). */
export const CODE_TTL_MS = 5 * 60_000;
export const CODE_TRIES = 3;

export interface PasswordLoginDeps {
  db: Db;
  /** The auth service's openSession (server/auth/service.ts): the one way any method opens a session. */
  openSession: AuthService['openSession'];
  accessLog: AccessLog;
  /** The SMS gateway; absent: no SMS codes (SMS_NOT_SENT). */
  sendSms?: SmsSender;
  /** The Yubico validation service for keys enrolled with verification 'yubico'. */
  yubico?: YubicoConfig;
  /** Per-account attempt count (RATE_LIMITED with retryAfterS past the limit), as the card's. */
  limitAccount?: (username: string) => Promise<void>;
  now?: () => Date;
  /** The assurance level these methods give (default 2: something one knows and something one has, no certificate). */
  loa?: Loa;
}

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  CREDENTIALS_INVALID: 'Fel användarnamn eller lösenord.',
  ACCOUNT_LOCKED: 'Kontot är låst efter för många felaktiga försök; administratören låser upp det.',
  OTP_INVALID: 'Engångskoden stämmer inte, har gått ut eller har redan använts.',
  LOGIN_METHOD_NOT_ALLOWED: 'Organisationen tillåter inte det inloggningssättet, eller det är inte registrerat för personen.',
  SMS_NOT_SENT: 'Sms:et med engångskoden kunde inte skickas.',
};

const mac = (key: Buffer, code: string) => createHmac('sha256', key).update(code, 'utf8').digest();

export type PasswordLoginService = ReturnType<typeof createPasswordLoginService>;

export function createPasswordLoginService(deps: PasswordLoginDeps) {
  const now = deps.now ?? (() => new Date());
  const loa: Loa = deps.loa ?? 2;

  const refuse = async (
    code: ErrorCode,
    at: Date,
    who: { staffId?: string; hsaId?: string } | undefined,
    workstation: string | undefined,
    method?: PasswordMethod,
  ): Promise<never> => {
    await deps.accessLog.record({
      action: 'login_failed',
      outcome: 'failure',
      errorCode: code,
      actorStaffId: who?.staffId,
      actorHsaId: who?.hsaId,
      recordType: 'password_login',
      workstation,
      ...(method ? { authMethod: method, loa } : {}),
      at,
    });
    throw new AppFailure(code, MESSAGES[code] ?? code);
  };
  const whoOf = (c: CredentialRow) => ({ staffId: c.staff_id, hsaId: c.hsa_id });

  /** Step 1: the password. Right → a login token and the code on its way (SMS) or awaited (YubiKey). */
  async function start(req: PasswordStartRequest, ctx: { workstation?: string } = {}): Promise<PasswordStartResponse> {
    const at = now();
    const workstation = ctx.workstation ?? req.workstation;
    await deps.limitAccount?.(req.username);
    const cred = await credentialsByUsername(deps.db, req.username);
    // An unknown name costs the same scrypt as a known one.
    const passwordRight = await verifyPassword(req.password, cred?.password_hash ?? (await dummyPasswordHash()));
    if (!cred) return refuse('CREDENTIALS_INVALID', at, undefined, workstation);
    // Locked stays locked whatever the password: guessing on must learn nothing.
    if (cred.locked_at) return refuse('ACCOUNT_LOCKED', at, whoOf(cred), workstation);
    if (!passwordRight) {
      const locked = await countFailure(deps.db, cred.staff_id, at);
      return refuse(locked ? 'ACCOUNT_LOCKED' : 'CREDENTIALS_INVALID', at, whoOf(cred), workstation);
    }
    const allowed = await organisationMethods(deps.db, cred.organisation_id);
    const keys = allowed.passwordYubikey ? await activeYubikeys(deps.db, cred.staff_id) : [];
    const canYubikey = allowed.passwordYubikey && keys.length > 0;
    const canSms = allowed.passwordSms && cred.phone !== null;
    const method: PasswordMethod | undefined =
      req.method === 'yubikey' ? (canYubikey ? 'password_yubikey' : undefined)
      : req.method === 'sms' ? (canSms ? 'password_sms' : undefined)
      : canYubikey ? 'password_yubikey' : canSms ? 'password_sms' : undefined;
    if (!method) return refuse('LOGIN_METHOD_NOT_ALLOWED', at, whoOf(cred), workstation);

    const loginToken = randomBytes(32).toString('base64url');
    const expiresAt = new Date(at.getTime() + CODE_TTL_MS);
    let codeKey: Buffer | null = null;
    let code: string | null = null;
    if (method === 'password_sms') {
      if (!deps.sendSms) return refuse('SMS_NOT_SENT', at, whoOf(cred), workstation);
      code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      codeKey = randomBytes(32);
    }
    await deps.db.query(
      `INSERT INTO password_logins (token_hash, staff_id, method, code_key, code_mac, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [hashToken(loginToken), cred.staff_id, method, codeKey?.toString('base64url') ?? null, codeKey && code ? mac(codeKey, code).toString('base64url') : null, at, expiresAt],
    );
    if (code && deps.sendSms) {
      try {
        await deps.sendSms(cred.phone!, smsText(code));
      } catch {
        await deps.db.query('DELETE FROM password_logins WHERE token_hash = $1', [hashToken(loginToken)]);
        return refuse('SMS_NOT_SENT', at, whoOf(cred), workstation);
      }
    }
    return { loginToken, method, expiresAt: expiresAt.toISOString(), ...(method === 'password_sms' ? { phoneHint: `…${cred.phone!.slice(-2)}` } : {}) };
  }

  /** Step 2: the code. Right, in time, first use → the session, as the card's. */
  async function verify(req: PasswordVerifyRequest, ctx: { workstation?: string } = {}): Promise<LoginResponse> {
    const at = now();
    const workstation = ctx.workstation ?? req.workstation;
    const tokenHash = hashToken(req.loginToken);
    // One try counted atomically before the code is looked at: two at once cannot both be the third.
    const { rows } = await deps.db.query<{ staff_id: string; method: PasswordMethod; code_key: string | null; code_mac: string | null }>(
      `UPDATE password_logins SET attempts = attempts + 1
        WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 AND attempts < $3
        RETURNING staff_id, method, code_key, code_mac`,
      [tokenHash, at, CODE_TRIES],
    );
    const pending = rows[0];
    if (!pending) return refuse('OTP_INVALID', at, undefined, workstation);
    const cred = await credentialsByStaff(deps.db, pending.staff_id);
    if (!cred) return refuse('OTP_INVALID', at, undefined, workstation);
    if (cred.locked_at) return refuse('ACCOUNT_LOCKED', at, whoOf(cred), workstation, pending.method);

    const right = pending.method === 'password_sms' ? smsCodeRight(req.code, pending) : await yubikeyRight(req.code, cred.staff_id);
    if (!right) {
      const locked = await countFailure(deps.db, cred.staff_id, at);
      return refuse(locked ? 'ACCOUNT_LOCKED' : 'OTP_INVALID', at, whoOf(cred), workstation, pending.method);
    }
    const { rows: used } = await deps.db.query('UPDATE password_logins SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL RETURNING 1', [tokenHash, at]);
    if (used.length !== 1) return refuse('OTP_INVALID', at, whoOf(cred), workstation, pending.method);
    await clearFailures(deps.db, cred.staff_id);
    // The session as every method opens it (the permission rule, lifetimes, the access-log row with method and level).
    const { staff_id: id, hsa_id: hsaId, given_name: givenName, family_name: familyName, title, role } = cred;
    return deps.openSession({ staff: { id, hsaId, givenName, familyName, title, role }, method: pending.method, loa, at, ...(workstation ? { workstation } : {}) });
  }

  function smsCodeRight(code: string, pending: { code_key: string | null; code_mac: string | null }): boolean {
    if (!pending.code_key || !pending.code_mac || !/^[0-9]{6}$/.test(code.trim())) return false;
    const expected = Buffer.from(pending.code_mac, 'base64url');
    const given = mac(Buffer.from(pending.code_key, 'base64url'), code.trim());
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  async function yubikeyRight(code: string, staffId: string): Promise<boolean> {
    const otp = code.trim();
    if (!OTP_PATTERN.test(otp)) return false;
    const key = (await activeYubikeys(deps.db, staffId)).find((k) => k.public_id === otp.slice(0, 12));
    if (!key) return false;
    if (key.verification === 'yubico') return deps.yubico ? (await verifyWithYubico(otp, deps.yubico)).ok : false;
    const verdict = verifyLocally(otp, { publicId: key.public_id, aesKey: key.aes_key!, privateId: key.private_id!, lastCounter: key.last_counter, lastSession: key.last_session });
    return verdict.ok && (await advanceCounters(deps.db, key.public_id, verdict.counter, verdict.session));
  }

  return { start, verify };
}
