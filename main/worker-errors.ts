import { AppFailure, ErrorCode } from '#contract';

/** An error as it crosses from a worker thread to the main thread (structured clone keeps no classes). */
export interface SerializedError {
  name: string;
  message: string;
  /** Set for AppFailure. */
  code?: AppFailure['code'];
  details?: Record<string, unknown>;
  /** Set for the server's refusal (AppFailure.origin). */
  origin?: 'server' | 'rule';
  /** better-sqlite3's SqliteError code, e.g. SQLITE_NOTADB. */
  sqliteCode?: string;
}

/** What a worker sends for an error it caught: an AppFailure whole, anything else by name and message. */
export function serializeError(e: unknown): SerializedError {
  if (e instanceof AppFailure) {
    return { name: 'AppFailure', message: e.message, code: e.code, ...(e.details ? { details: e.details } : {}), ...(e.origin ? { origin: e.origin } : {}) };
  }
  const err = e instanceof Error ? e : new Error(String(e));
  const sqliteCode = (err as { code?: unknown }).code;
  return { name: err.name, message: err.message, ...(typeof sqliteCode === 'string' ? { sqliteCode } : {}) };
}

/** The main thread's AppFailure for an error a worker sent: its own if it was one, else INTERNAL with `what` as context. */
export function reviveError(e: SerializedError, what: string): AppFailure {
  if (e.code && ErrorCode.safeParse(e.code).success) {
    const f = new AppFailure(e.code, e.message, e.details);
    if (e.origin) f.origin = e.origin;
    return f;
  }
  return new AppFailure('INTERNAL', `${what}: ${e.message}`, e.sqliteCode ? { sqliteCode: e.sqliteCode } : undefined);
}
