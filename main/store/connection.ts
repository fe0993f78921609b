import Database from 'better-sqlite3-multiple-ciphers';
import { migrate } from './migrations';

/**
 * One connection to the encrypted store file: the SQLCipher key, the connection settings and the
 * migrations. Used by the store worker (sql-store.ts composes the SQL over it) and by tests.
 */

/** Applies the SQLCipher v4 format and a raw 256-bit key (no KDF: the key is random, not a password). */
export function keyDatabase(db: Database.Database, key: Uint8Array): void {
  if (key.length !== 32) throw new Error('Store key must be 32 bytes');
  db.pragma(`cipher = 'sqlcipher'`);
  db.pragma('legacy = 4');
  // `x'<64 hex>'` as bytes, so the key never becomes an (unwipeable) JS string.
  const literal = Buffer.alloc(2 + 64 + 1);
  literal[0] = 0x78; // x
  literal[1] = 0x27; // '
  const hex = (n: number) => (n < 10 ? 0x30 + n : 0x61 + n - 10);
  for (let i = 0; i < 32; i++) {
    literal[2 + 2 * i] = hex((key[i] ?? 0) >> 4);
    literal[3 + 2 * i] = hex((key[i] ?? 0) & 15);
  }
  literal[66] = 0x27;
  try {
    db.key(literal);
  } finally {
    literal.fill(0);
  }
}

/** Connection settings after the key: WAL, full fsync on commit (a saved write survives a power cut), temp in memory (no plaintext temp files). */
export function tuneConnection(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('temp_store = MEMORY');
  db.pragma('cache_size = -32768');
  db.pragma('busy_timeout = 5000');
}

/** Opens (creating if needed) and migrates. Throws the SQLite error when the file cannot be read. */
export function openDatabase(file: string, key: Uint8Array | null): Database.Database {
  const db = new Database(file);
  try {
    if (key) keyDatabase(db, key);
    // The first read decrypts page 1: a wrong key or a corrupt file fails here (SQLITE_NOTADB).
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    tuneConnection(db);
    migrate(db);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}
