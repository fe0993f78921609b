/**
 * Wraps the local store's key with something only this user on this device can undo: the OS
 * (Electron safeStorage → DPAPI on Windows, Keychain on macOS, libsecret/kwallet on Linux) in the
 * shell, a clearly named key file in development and tests. The store keeps only the wrapped blob
 * on disk; the raw 256-bit key lives in memory while the session is unlocked.
 */
export interface KeyVault {
  /** Encrypts a raw key; the blob is safe to write to disk. */
  wrap(key: Buffer): Promise<Buffer>;
  /** Decrypts a blob from `wrap` on the same user account and device. */
  unwrap(blob: Buffer): Promise<Buffer>;
}

/** The vault cannot protect keys here (no OS key store, or only a weak one); the caller must not fall back silently. */
export class KeyVaultUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyVaultUnavailableError';
  }
}
