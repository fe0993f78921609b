import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';
import { chmod, mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { KeyVault } from '../key-vault';

const MAGIC = Buffer.from('OMSDEVV1', 'ascii');
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const DEV_VAULT_FILE = 'dev-vault.key';

/**
 * DEVELOPMENT VAULT — for the browser host, tests and benchmarks, never for production use.
 *
 * Wraps the store key with AES-256-GCM under a random 256-bit key kept in `<dataDir>/dev-vault.key`
 * (mode 0600). It protects NOTHING against someone who can read the data folder: the wrapping key
 * lies right beside the wrapped one. Unlike Electron safeStorage (DPAPI on Windows, bound to the
 * user's logon credentials, see main/electron/key-vault.ts), a copied data folder opens anywhere.
 * It exists so that the store's code path (wrap, unwrap, wrong key, missing key) is the same in
 * development as in the shell.
 */
export class DevKeyFileVault implements KeyVault {
  readonly keyFile: string;
  private master: Promise<Buffer> | null = null;

  constructor(dataDir: string) {
    this.keyFile = path.join(dataDir, DEV_VAULT_FILE);
  }

  async wrap(key: Buffer): Promise<Buffer> {
    const master = await this.masterKey();
    const iv = randomFillSync(Buffer.alloc(IV_BYTES));
    const cipher = createCipheriv('aes-256-gcm', master, iv);
    cipher.setAAD(MAGIC);
    const ct = Buffer.concat([cipher.update(key), cipher.final()]);
    return Buffer.concat([MAGIC, iv, cipher.getAuthTag(), ct]);
  }

  async unwrap(blob: Buffer): Promise<Buffer> {
    if (blob.length <= MAGIC.length + IV_BYTES + TAG_BYTES || !blob.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new Error('not a key of the development vault (unknown format)');
    }
    const master = await this.masterKey();
    const iv = blob.subarray(MAGIC.length, MAGIC.length + IV_BYTES);
    const tag = blob.subarray(MAGIC.length + IV_BYTES, MAGIC.length + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', master, iv);
    decipher.setAAD(MAGIC);
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(blob.subarray(MAGIC.length + IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch {
      throw new Error('the key could not be unwrapped with the development vault\'s key (another vault or a changed file)');
    }
  }

  private masterKey(): Promise<Buffer> {
    this.master ??= this.loadOrCreate().catch((e: unknown) => {
      this.master = null;
      throw e;
    });
    return this.master;
  }

  private async loadOrCreate(): Promise<Buffer> {
    await mkdir(path.dirname(this.keyFile), { recursive: true });
    try {
      const key = await readFile(this.keyFile);
      if (key.length !== 32) throw new Error(`${DEV_VAULT_FILE} has the wrong length (${key.length} bytes, expected 32)`);
      return key;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const key = randomFillSync(Buffer.alloc(32));
    try {
      // 'wx': two processes racing to create it never overwrite each other's key.
      const fh = await open(this.keyFile, 'wx', 0o600);
      try {
        await fh.writeFile(key);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await chmod(this.keyFile, 0o600);
      return key;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return readFile(this.keyFile);
      throw e;
    }
  }
}
