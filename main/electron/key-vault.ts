import { KeyVaultUnavailableError, type KeyVault } from '../key-vault';
import type { ShellSafeStorage } from './electron-api';

// Its errors are in Swedish: a startup error, shown in the start's error box before any UI exists
// (main/electron/shell.ts startupFailureText; docs/adding-a-feature.md, "Errors").

/**
 * The store key wrapped by the OS through Electron safeStorage (DPAPI on Windows), as Signal
 * Desktop and VS Code do. The key travels as base64 text because safeStorage encrypts strings.
 * Uses the async API: in Electron 45 the sync encryptString/decryptString are deprecated, and
 * blobs from either decrypt with decryptStringAsync.
 *
 * Refuses — never falls back to plain text — when the OS cannot encrypt, and on Linux when the
 * only backend is "basic_text" (a password hard-coded in Chromium), unless explicitly allowed.
 * Only usable after the app's `ready` event.
 */
export class SafeStorageKeyVault implements KeyVault {
  constructor(
    private readonly safeStorage: ShellSafeStorage,
    private readonly opts: { platform?: NodeJS.Platform; allowWeakLinuxBackend?: boolean } = {},
  ) {}

  async wrap(key: Buffer): Promise<Buffer> {
    await this.assertAvailable();
    return this.safeStorage.encryptStringAsync(key.toString('base64'));
  }

  async unwrap(blob: Buffer): Promise<Buffer> {
    await this.assertAvailable();
    const { result } = await this.safeStorage.decryptStringAsync(blob);
    const key = Buffer.from(result, 'base64');
    if (key.length === 0) throw new KeyVaultUnavailableError('Den skyddade nyckeln kunde inte läsas (tom efter dekryptering).');
    return key;
  }

  /**
   * Throws KeyVaultUnavailableError (a Swedish message for the user) unless keys can be protected
   * here. The shell calls it at start, so a missing key store is said at once, not at the first login.
   */
  async assertAvailable(): Promise<void> {
    if (!(await this.safeStorage.isAsyncEncryptionAvailable())) {
      throw new KeyVaultUnavailableError(
        'Operativsystemets nyckelskydd (safeStorage) är inte tillgängligt; den lokala databasens nyckel kan inte skyddas.',
      );
    }
    const platform = this.opts.platform ?? process.platform;
    if (platform === 'linux' && !this.opts.allowWeakLinuxBackend) {
      const backend = this.safeStorage.getSelectedStorageBackend?.();
      if (backend === 'basic_text' || backend === 'unknown') {
        throw new KeyVaultUnavailableError(
          `Inget säkert nyckelförråd på Linux (safeStorage-backend "${backend}"); installera libsecret eller kwallet.`,
        );
      }
    }
  }
}
