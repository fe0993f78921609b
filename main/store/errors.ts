import { AppFailure } from '#contract';

/**
 * The store cannot be read: wrong key, corrupt file, missing or unwrappable `.key`. Code
 * STORE_UNREADABLE; `details.reason` says the same for older callers. The way out is
 * `resetLocalStore`, which keeps the old files aside.
 */
export const STORE_UNREADABLE = 'STORE_UNREADABLE';
/** The OS key store is not available (no DPAPI/libsecret): resetting the store would not help. */
export const KEY_VAULT_UNAVAILABLE = 'KEY_VAULT_UNAVAILABLE';

export type UnreadableCause = 'wrong_key_or_corrupt' | 'corrupt' | 'missing_key' | 'key_not_unwrappable' | 'newer_schema';

export class StoreUnreadableError extends AppFailure {
  constructor(
    readonly unreadable: UnreadableCause,
    message: string,
    readonly file: string,
  ) {
    // details carry no personal data: the file name is a hash, not the HSA-ID.
    super('STORE_UNREADABLE', message, { reason: STORE_UNREADABLE, cause: unreadable, file: file.split(/[\\/]/).pop() });
    this.name = 'StoreUnreadableError';
  }
}

export function isStoreUnreadable(e: unknown): e is AppFailure {
  return e instanceof AppFailure && e.details?.['reason'] === STORE_UNREADABLE;
}

/** Calls after close (the session locked) or while closing. */
export const storeClosed = (): AppFailure => new AppFailure('SESSION_LOCKED', 'the local store is closed (the session is locked)');
