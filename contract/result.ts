import { z } from 'zod';

/**
 * Every error that crosses a boundary is a value with a code the UI can act on.
 * The renderer translates codes to Swedish (renderer/src/i18n); messages here are for logs
 * and developers and never contain personal data.
 */
/** The server's refusals of a login (docs/login.md); every one is an ErrorCode. */
export const LOGIN_ERROR_CODES = [
  'NONCE_INVALID',
  'CERT_UNTRUSTED',
  'CERT_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_WRONG_USAGE',
  'CERT_WRONG_POLICY',
  'CERT_REVOKED',
  // OCSP configured but the status could not be established (fail closed)
  'CERT_REVOCATION_UNKNOWN',
  'SIGNATURE_INVALID',
  'UNKNOWN_CARD_HOLDER',
  'NO_ACTIVE_PERMISSION',
  // the organisation's identity provider (OpenID Connect; server/auth/oidc.ts): state, code or ID token refused
  'IDP_LOGIN_FAILED',
  // the IdP asserted no assurance level (acr) this server knows, or one below the lowest it accepts
  'IDP_LOA_REFUSED',
  // the IdP's person (its HSA-ID claim) is no staff member here
  'IDP_UNKNOWN_PERSON',
  // password + one-time code (contract/password-login.ts)
  'CREDENTIALS_INVALID',
  'ACCOUNT_LOCKED',
  'OTP_INVALID',
  'LOGIN_METHOD_NOT_ALLOWED',
  'SMS_NOT_SENT',
] as const;
export type LoginErrorCode = (typeof LOGIN_ERROR_CODES)[number];

export const ErrorCode = z.enum([
  'VALIDATION',
  'UNKNOWN_METHOD',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'SERVER_UNREACHABLE',
  'SERVER_ERROR',
  'SESSION_LOCKED',
  'PERMISSION_ENDED',
  // smart card (native/)
  'PCSC_UNAVAILABLE',
  'NO_READER',
  'NO_CARD',
  'CARD_REMOVED',
  'CARD_RESET',
  'SHARING_VIOLATION',
  'CARD_ERROR',
  'PIN_INVALID_FORMAT',
  'PIN_WRONG',
  'PIN_BLOCKED',
  // login (server)
  ...LOGIN_ERROR_CODES,
  'INTERNAL',
  // login (server): OCSP configured but the status could not be established (fail closed)
  'CERT_REVOCATION_UNKNOWN',
  // the server: too many requests from one address or card (server/http/rate-limit.ts)
  'RATE_LIMITED',
  // the session's assurance level is below what the function asks (server/auth/assurance.ts)
  'LOA_TOO_LOW',
  // local store (main/store): wrong key, corrupt file or missing key; the way out is a fresh resync
  'STORE_UNREADABLE',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const AppErrorSchema = z.object({
  code: ErrorCode,
  message: z.string(),
  /** Structured, non-personal detail, e.g. `{ triesLeft: 2 }` or the zod issues of a VALIDATION error. */
  details: z.record(z.string(), z.unknown()).optional(),
});
export type AppError = z.infer<typeof AppErrorSchema>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const err = (code: ErrorCode, message: string, details?: AppError['details']): Result<never> => ({
  ok: false,
  error: details === undefined ? { code, message } : { code, message, details },
});

export const resultSchema = <T extends z.ZodType>(value: T) =>
  z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: AppErrorSchema }),
  ]);

/** A thrown error carrying an AppError; services throw it, routers turn it into a Result. */
export class AppFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: AppError['details'],
  ) {
    super(message);
    this.name = 'AppFailure';
  }
  toError(): AppError {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/** Zod issues as non-personal details: paths and messages only, never the received values. */
export const validationDetails = (error: z.ZodError): AppError['details'] => ({
  issues: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
});
