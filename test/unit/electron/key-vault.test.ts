import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SafeStorageKeyVault } from '../../../main/electron/key-vault';
import { KeyVaultUnavailableError } from '../../../main/key-vault';
import { createFakeElectron } from '../../support/fake-electron';

describe('the safeStorage key vault', () => {
  it('round-trips a 256-bit key, and the blob is not the key', async () => {
    const vault = new SafeStorageKeyVault(createFakeElectron().electron.safeStorage, { platform: 'win32' });
    const key = randomBytes(32);
    const blob = await vault.wrap(key);
    expect(blob.includes(key)).toBe(false);
    expect(blob.includes(Buffer.from(key.toString('base64')))).toBe(false);
    expect((await vault.unwrap(blob)).equals(key)).toBe(true);
  });

  it('refuses to wrap or unwrap when the OS cannot encrypt, saying why', async () => {
    const fake = createFakeElectron();
    const vault = new SafeStorageKeyVault(fake.electron.safeStorage, { platform: 'win32' });
    const blob = await vault.wrap(randomBytes(32));
    fake.electron.safeStorage.available = false;
    await expect(vault.wrap(randomBytes(32))).rejects.toThrow(KeyVaultUnavailableError);
    await expect(vault.unwrap(blob)).rejects.toThrow(/safeStorage.*inte tillgängligt/);
  });

  it('on Linux refuses the basic_text backend (a hard-coded password) unless allowed', async () => {
    const storage = createFakeElectron({ storageBackend: 'basic_text' }).electron.safeStorage;
    await expect(new SafeStorageKeyVault(storage, { platform: 'linux' }).wrap(randomBytes(32))).rejects.toThrow(/basic_text/);
    const weak = new SafeStorageKeyVault(storage, { platform: 'linux', allowWeakLinuxBackend: true });
    const key = randomBytes(32);
    expect((await weak.unwrap(await weak.wrap(key))).equals(key)).toBe(true);
  });

  it('on Linux accepts libsecret', async () => {
    const storage = createFakeElectron({ storageBackend: 'gnome_libsecret' }).electron.safeStorage;
    const vault = new SafeStorageKeyVault(storage, { platform: 'linux' });
    const key = randomBytes(32);
    expect((await vault.unwrap(await vault.wrap(key))).equals(key)).toBe(true);
  });

  it('a corrupted blob fails instead of yielding a wrong key', async () => {
    const vault = new SafeStorageKeyVault(createFakeElectron().electron.safeStorage, { platform: 'win32' });
    await expect(vault.unwrap(Buffer.from('garbage'))).rejects.toThrow();
  });
});
