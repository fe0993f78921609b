import { z } from 'zod';
import { NoBody } from './admin';
import { LoginResponse } from './auth';
import { call } from './call';
import { CreateId, Uuid } from './domain';

/**
 * Password + one-time code (issue 29; docs/login.md "Lösenord och engångskod"): for organisations
 * that allow it, staff log in without the card with a username, a password and then a one-time
 * code — by SMS, or typed by a YubiKey (Yubico OTP, 44 modhex characters).
 */
export const PasswordMethod = z.enum(['password_sms', 'password_yubikey']);
export type PasswordMethod = z.infer<typeof PasswordMethod>;

export const Username = z.string().trim().toLowerCase().regex(/^[a-z0-9][a-z0-9._-]{2,63}$/, 'Användarnamnet ska vara 3–64 tecken: a–z, 0–9, punkt, bindestreck, understreck.');
/** Bounded before hashing: a megabyte password must not cost the server a megabyte of scrypt. */
export const Password = z.string().min(1).max(128);
export const PhoneNumber = z.string().trim().regex(/^\+[1-9][0-9]{6,14}$/, 'Mobilnumret ska skrivas med landsnummer, t.ex. +46701234567.');
export const YubikeyOtp = z.string().trim().regex(/^[cbdefghijklnrtuv]{44}$/);
export const SmsCode = z.string().trim().regex(/^[0-9]{6}$/);

export const PasswordStartRequest = z.strictObject({
  username: Username,
  password: Password,
  /** Which code, when the organisation allows both; absent: the YubiKey when she has one, else SMS. */
  method: z.enum(['sms', 'yubikey']).optional(),
  workstation: z.string().min(1).max(100).optional(),
});
export type PasswordStartRequest = z.infer<typeof PasswordStartRequest>;

export const PasswordStartResponse = z.object({
  /** Opaque, 256 bits: the second step's proof that the password was right. */
  loginToken: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  method: PasswordMethod,
  /** The last two digits of the number the SMS went to (password_sms). */
  phoneHint: z.string().max(8).optional(),
  expiresAt: z.iso.datetime(),
});
export type PasswordStartResponse = z.infer<typeof PasswordStartResponse>;

export const PasswordVerifyRequest = z.strictObject({
  loginToken: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  /** Six digits (SMS) or the YubiKey's 44 characters. */
  code: z.string().trim().min(6).max(44),
  workstation: z.string().min(1).max(100).optional(),
});
export type PasswordVerifyRequest = z.infer<typeof PasswordVerifyRequest>;

/** Between renderer and main (contract/api.ts `session.passwordStart`): the token stays in main. */
export const PasswordStartInput = PasswordStartRequest.omit({ workstation: true });
export type PasswordStartInput = z.infer<typeof PasswordStartInput>;
export const PasswordStep = PasswordStartResponse.omit({ loginToken: true });
export type PasswordStep = z.infer<typeof PasswordStep>;
export const PasswordVerifyInput = z.strictObject({ code: z.string().trim().min(6).max(44) });

// ---- administration ------------------------------------------------------------------------

export const LoginMethods = z.strictObject({ passwordSms: z.boolean(), passwordYubikey: z.boolean() });
export type LoginMethods = z.infer<typeof LoginMethods>;

export const EnrolledYubikey = z.object({
  publicId: z.string(),
  verification: z.enum(['local', 'yubico']),
  createdAt: z.iso.datetime(),
});
export const PersonCredentials = z.object({
  staffId: Uuid,
  username: z.string().nullable(),
  /** The last two digits of her SMS number, or null. */
  phoneHint: z.string().nullable(),
  locked: z.boolean(),
  yubikeys: z.array(EnrolledYubikey),
});
export type PersonCredentials = z.infer<typeof PersonCredentials>;
export const CredentialsResponse = z.object({ methods: LoginMethods, people: z.array(PersonCredentials) });
export type CredentialsResponse = z.infer<typeof CredentialsResponse>;

/** Sets (or resets) a person's username, password and SMS number; also opens a locked account. */
export const SetPasswordRequest = z.strictObject({
  staffId: Uuid,
  username: Username,
  password: Password,
  phone: PhoneNumber.nullable(),
});
export type SetPasswordRequest = z.infer<typeof SetPasswordRequest>;

export const UnlockRequest = z.strictObject({ staffId: Uuid });

export const ModhexId = z.string().trim().toLowerCase().regex(/^[cbdefghijklnrtuv]{12}$/, 'Publikt id ska vara 12 modhex-tecken (c b d e f g h i j k l n r t u v).');
const Hex = (n: number, what: string) => z.string().trim().toLowerCase().regex(new RegExp(`^[0-9a-f]{${n}}$`), `${what} ska vara ${n} hexadecimala tecken.`);
export const EnrolYubikeyRequest = z.discriminatedUnion('verification', [
  z.strictObject({ ...CreateId, staffId: Uuid, verification: z.literal('local'), publicId: ModhexId, aesKey: Hex(32, 'AES-nyckeln'), privateId: Hex(12, 'Privat id') }),
  z.strictObject({ ...CreateId, staffId: Uuid, verification: z.literal('yubico'), publicId: ModhexId }),
]);
export type EnrolYubikeyRequest = z.infer<typeof EnrolYubikeyRequest>;

export const passwordLoginRoutes = {
  start: { method: 'POST', path: '/api/v1/auth/password/start', body: PasswordStartRequest, response: PasswordStartResponse },
  verify: { method: 'POST', path: '/api/v1/auth/password/verify', body: PasswordVerifyRequest, response: LoginResponse },
} as const;

export const credentialRoutes = {
  list: { method: 'GET', path: '/api/v1/admin/credentials', response: CredentialsResponse },
  setMethods: { method: 'POST', path: '/api/v1/admin/credentials/methods', body: LoginMethods, response: LoginMethods },
  setPassword: { method: 'POST', path: '/api/v1/admin/credentials/password', body: SetPasswordRequest, response: PersonCredentials },
  unlock: { method: 'POST', path: '/api/v1/admin/credentials/unlock', body: UnlockRequest, response: PersonCredentials },
  enrolYubikey: { method: 'POST', path: '/api/v1/admin/credentials/yubikeys', body: EnrolYubikeyRequest, response: PersonCredentials },
  revokeYubikey: { method: 'POST', path: '/api/v1/admin/credentials/yubikeys/:id/revoke', body: NoBody, response: PersonCredentials },
} as const;

/** The `credentials.*` methods between renderer and main: each the server route of the same name, with the session's token. */
export const credentialsApi = {
  list: call(z.strictObject({}), CredentialsResponse),
  setMethods: call(LoginMethods, LoginMethods),
  setPassword: call(SetPasswordRequest, PersonCredentials),
  unlock: call(UnlockRequest, PersonCredentials),
  enrolYubikey: call(EnrolYubikeyRequest, PersonCredentials),
  revokeYubikey: call(z.strictObject({ publicId: ModhexId }), PersonCredentials),
};
