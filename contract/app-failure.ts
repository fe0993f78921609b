import type { AppError, ErrorCode } from './result';

/**
 * A thrown error carrying an AppError; services throw it, routers turn it into a Result. In a file
 * of its own, without zod: the PC/SC host process's bundle takes only this from the contract
 * (scripts/build-electron.ts), which keeps that bundle small.
 */
export class AppFailure extends Error {
  /** Set when the message is a refusal reason written for the user (see AppErrorSchema). */
  origin?: 'server' | 'rule';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: AppError['details'],
  ) {
    super(message);
    this.name = 'AppFailure';
  }
  /** The server's refusal, its message the server's own words for the user. */
  static fromServer(code: ErrorCode, message: string, details?: AppError['details']): AppFailure {
    const f = new AppFailure(code, message, details);
    f.origin = 'server';
    return f;
  }
  /** A refusal by a rule the contract shares with the server, in the contract's words (the server's for the same rule). */
  static rule(code: ErrorCode, message: string, details?: AppError['details']): AppFailure {
    const f = new AppFailure(code, message, details);
    f.origin = 'rule';
    return f;
  }
  toError(): AppError {
    const e: AppError = this.details === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, details: this.details };
    if (this.origin) e.origin = this.origin;
    return e;
  }
}
