import { z } from 'zod';

/**
 * Every error that crosses a boundary is a value with a code the UI can act on.
 * The renderer translates codes to Swedish in one place (renderer/src/components/error-text.ts with
 * `errors.<CODE>` and `errorReasons.<REASON>` in renderer/src/i18n/sv.ts); messages here are for logs
 * and developers and never contain personal data. The workstation's main process never writes a
 * Swedish error message: where a code alone says too little it adds `details.reason` (an
 * ErrorReason), which the renderer turns into its text. The one Swedish message the UI shows as it
 * is, is the server's own refusal reason (`origin: 'server'`; the server is an API product whose
 * refusals are written for the user). docs/adding-a-feature.md, "Errors".
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

/**
 * Why the workstation refused, where the code alone says too little: `details.reason` of an error
 * made in main/. Each has its Swedish text in renderer/src/i18n/sv.ts (`errorReasons`), the only
 * place it is written in words.
 */
export const ErrorReason = z.enum([
  // a unit or client outside the user's permissions (local store, services)
  'UNIT_NOT_PERMITTED',
  'UNIT_NOT_IN_SCOPE',
  'CLIENT_NOT_IN_UNIT',
  'CLIENT_NOT_PERMITTED',
  'CLIENT_NOT_IN_UNITS',
  // plans (main/plans)
  'PLAN_NOT_IN_UNITS',
  'PLAN_CONFLICT_RESOLVED',
  'PLAN_NONE_ADOPTED',
  'PLAN_NO_VERSION_TO_PRINT',
  // journal (main/store/journal-sql.ts)
  'JOURNAL_ENTRY_NOT_PERMITTED',
  'JOURNAL_ALREADY_ERRONEOUS',
  // deviations (main/store/deviations-sql.ts)
  'DEVIATION_UNIT_NOT_PERMITTED',
  'DEVIATION_CLIENT_NOT_IN_UNIT',
  'DEVIATION_NOT_IN_UNITS',
  // messages (main/messages)
  'MESSAGE_THREAD_PENDING',
  'ATTACHMENT_TOO_LARGE',
  'ATTACHMENT_NEEDS_CLIENT_THREAD',
  'THREAD_NOT_FOUND',
  'MESSAGE_NOT_FOUND',
  // assignments: an action needs the server (main/assignments/inbox-service.ts)
  'ASSIGNMENT_NEEDS_SERVER',
  // admin: the card's certificate (main/admin, main/app.ts)
  'CARD_CERT_UNREADABLE',
  'CARD_CERT_NOT_READABLE_HERE',
  // the local store's resync (main/sync/user-data.ts)
  'STORE_NOT_UNREADABLE',
  'LOCKED_DURING_RESYNC',
  'STORE_OPEN_FAILED',
]);
export type ErrorReason = z.infer<typeof ErrorReason>;
/** `details` naming why (an ErrorReason), with any other structured detail. */
export const because = (reason: ErrorReason, more?: Record<string, unknown>): Record<string, unknown> => ({ ...more, reason });

export const AppErrorSchema = z.object({
  code: ErrorCode,
  /** For logs and developers; shown to the user only when `origin` is set (a refusal reason written for the user). */
  message: z.string(),
  /** Structured, non-personal detail, e.g. `{ triesLeft: 2 }`, the zod issues of a VALIDATION error, or `reason` (an ErrorReason). */
  details: z.record(z.string(), z.unknown()).optional(),
  /**
   * Set when the message is a refusal reason written for the user: 'server', the server's own words
   * (main/server-client.ts sets it); 'rule', a rule refused it on the workstation in words written for
   * the user: one the contract shares with the server, in the contract's words (PLAN_MESSAGES,
   * DEVIATION_MESSAGES …: what the server says for the same rule), or a form's own check in the
   * renderer (its text from i18n). Unset: a developer message, never shown.
   */
  origin: z.enum(['server', 'rule']).optional(),
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

export { AppFailure } from './app-failure';

/** Zod issues as non-personal details: paths and messages only, never the received values. */
export const validationDetails = (error: z.ZodError): AppError['details'] => ({
  issues: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
});
