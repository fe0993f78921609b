import { createHash, randomFillSync } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { AppFailure } from '#contract';
import { KeyVaultUnavailableError, type KeyVault } from '../key-vault';
import { KEY_VAULT_UNAVAILABLE, StoreUnreadableError } from './errors';
import type { SerializedError } from './protocol';
import type { LocalStore } from './types';
import { revive, WorkerStore, type WorkerEntry } from './worker-client';

export type { LocalStore } from './types';
export { isStoreUnreadable, STORE_UNREADABLE, StoreUnreadableError } from './errors';
export { DevKeyFileVault } from './dev-key-file-vault';

export interface LocalStoreOptions {
  /** The workstation's data folder; stores live in `<dataDir>/stores/`. */
  dataDir: string;
  /** The logged-in user: one store per user, assurance level and workstation. */
  hsaId: string;
  /**
   * The session's assurance level (issue 29): below 3 another file with its own random key, so a
   * lower level never holds the key of the client data a higher one cached. Default 3 (the card).
   */
  loa?: number;
  /** Wraps the store key: SafeStorageKeyVault in the Electron shell, DevKeyFileVault elsewhere. */
  vault: KeyVault;
  /** The compiled worker when bundled (see worker-client.ts); the default works from source. */
  workerUrl?: WorkerEntry;
}

/**
 * `<dataDir>/stores/<first 32 hex of sha256(hsaId)>.db` — the file name reveals no HSA-ID. A session
 * below LoA3 has its own: sha256(`<hsaId>|loa<level>`), with its own key file beside it
 * (docs/store.md, "One store per assurance level").
 */
export function localStoreFile(dataDir: string, hsaId: string, loa = 3): string {
  const name = createHash('sha256').update(loa >= 3 ? hsaId : `${hsaId}|loa${loa}`, 'utf8').digest('hex').slice(0, 32);
  return path.join(dataDir, 'stores', `${name}.db`);
}

const exists = (p: string) =>
  stat(p).then(
    () => true,
    (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return false;
      throw e;
    },
  );

async function readIfExists(p: string): Promise<Buffer | null> {
  try {
    return await readFile(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Writes a small file durably and atomically (temp file, fsync, rename), readable by the owner only. */
async function writeFileAtomic(file: string, data: Buffer): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
}

async function storeKey(file: string, vault: KeyVault): Promise<Buffer> {
  const keyFile = `${file}.key`;
  const blob = await readIfExists(keyFile);
  if (blob) {
    let key: Buffer;
    try {
      key = await vault.unwrap(blob);
    } catch (e) {
      if (e instanceof KeyVaultUnavailableError) throw new AppFailure('INTERNAL', e.message, { reason: KEY_VAULT_UNAVAILABLE });
      throw new StoreUnreadableError('key_not_unwrappable', 'the local store\'s key could not be unwrapped on this computer', file);
    }
    if (key.length !== 32) {
      key.fill(0);
      throw new StoreUnreadableError('key_not_unwrappable', 'the local store\'s key has the wrong length', file);
    }
    return key;
  }
  if (await exists(file)) {
    throw new StoreUnreadableError('missing_key', 'the local store exists but its key file is missing', file);
  }
  // A new store: a random 256-bit key, wrapped and on disk before the database is created.
  const key = randomFillSync(Buffer.alloc(32));
  try {
    await writeFileAtomic(keyFile, await vault.wrap(key));
  } catch (e) {
    key.fill(0);
    if (e instanceof KeyVaultUnavailableError) throw new AppFailure('INTERNAL', e.message, { reason: KEY_VAULT_UNAVAILABLE });
    throw e;
  }
  return key;
}

function openFailure(e: unknown, file: string): AppFailure {
  const err = e as SerializedError;
  if (err.sqliteCode === 'SQLITE_NOTADB') {
    return new StoreUnreadableError('wrong_key_or_corrupt', 'the local store could not be read (wrong key or a damaged file)', file);
  }
  if (err.sqliteCode === 'SQLITE_CORRUPT') return new StoreUnreadableError('corrupt', 'the local store is damaged', file);
  if (/newer than the program's/.test(err.message ?? '')) return new StoreUnreadableError('newer_schema', err.message, file);
  return revive(err);
}

/**
 * Opens the user's encrypted store on this workstation, creating it (and its key) on first use.
 * Call after a successful login; close it when the session locks. A store that cannot be read
 * throws StoreUnreadableError (code INTERNAL, details.reason STORE_UNREADABLE): offer the user a
 * fresh resync through `resetLocalStore`, which keeps the old files aside.
 */
export async function openLocalStore(opts: LocalStoreOptions): Promise<LocalStore> {
  const file = localStoreFile(opts.dataDir, opts.hsaId, opts.loa);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = await storeKey(file, opts.vault);
  try {
    return await WorkerStore.open(file, key, opts.workerUrl);
  } catch (e) {
    throw openFailure(e, file);
  } finally {
    key.fill(0);
  }
}

/**
 * Moves an unreadable store aside — never deletes it — so that unsent writes in it can still be
 * recovered with its key: `<file>` → `<file>.unreadable-<timestamp>`, and its `-wal`, `-shm` and
 * `.key` beside it under the same new name (SQLite finds the WAL of the moved file). The next
 * `openLocalStore` creates a fresh store, which the sync fills again. The store must be closed.
 */
export async function resetLocalStore(opts: Pick<LocalStoreOptions, 'dataDir' | 'hsaId' | 'loa'>): Promise<{ movedAside: string[] }> {
  const file = localStoreFile(opts.dataDir, opts.hsaId, opts.loa);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const aside = `${file}.unreadable-${stamp}`;
  const movedAside: string[] = [];
  // The key is copied first and removed last: whenever this stops, the old database has its key beside it.
  const keyFile = `${file}.key`;
  const hasKey = await exists(keyFile);
  if (hasKey) {
    await copyFile(keyFile, `${aside}.key`, constants.COPYFILE_EXCL);
    movedAside.push(`${aside}.key`);
  }
  for (const suffix of ['', '-wal', '-shm']) {
    const from = `${file}${suffix}`;
    const to = `${aside}${suffix}`;
    if (await exists(from)) {
      await rename(from, to);
      movedAside.push(to);
    }
  }
  if (hasKey) await unlink(keyFile);
  return { movedAside };
}
