import type Database from 'better-sqlite3-multiple-ciphers';
import { STORE_KINDS } from './kinds';

/**
 * Filling an empty store (SqlStore.applyPulledPage, group-commit.ts), the secondary indexes of the kinds'
 * `fillTables` (the journal's and day notes') are dropped inside the group's transaction and built
 * again, from their own SQL in sqlite_master, before it commits (restoreFillIndexes): building an index over sorted rows once costs a fraction of tens of
 * thousands of inserts at random places in five B-trees (a third of the worker's time in a
 * first sync). Nothing reads without them: every other call commits the group first, which
 * builds them; a crash rolls the drop back with the rest. The primary keys and UNIQUE ids stay
 * (the upserts need them), and so does the full-text index.
 */
export function dropFillIndexes(db: Database.Database): string[] {
  const tables = STORE_KINDS.flatMap((k) => ('fillTables' in k ? k.fillTables : []) as readonly string[]);
  if (tables.length === 0) return [];
  const indexes = db
    .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${tables.map(() => '?').join(', ')})`)
    .all(...tables) as { name: string; sql: string }[];
  for (const { name } of indexes) db.exec(`DROP INDEX "${name.replaceAll('"', '""')}"`);
  return indexes.map((i) => i.sql);
}

/** Builds the dropped indexes again (and empties the list), inside the group's transaction. */
export function restoreFillIndexes(db: Database.Database, deferred: string[]): void {
  for (const sql of deferred.splice(0)) db.exec(sql);
}

/** Back to the settings of tuneConnection (connection.ts) after a group: WAL after a bulk fill, full fsync, automatic checkpoints. */
export function restoreWriteSettings(db: Database.Database, fromBulk: boolean): void {
  if (fromBulk) db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('wal_autocheckpoint = 1000');
}
