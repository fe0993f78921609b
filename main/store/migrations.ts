import type { Database } from 'better-sqlite3-multiple-ciphers';
import { STORE_KINDS } from './kinds';

/**
 * The local store's schema, as an ordered list of migrations. `PRAGMA user_version` holds the
 * number of the last one applied; each runs in its own transaction together with the bump of
 * user_version, so a crash leaves the file at the previous version, never half-way.
 * Never edit a migration that has shipped: add the next one.
 *
 * The synced kinds' tables are declared with their kinds (main/store/kinds.ts, each kind's
 * `schema`): a kind's piece of a version runs in that version's transaction, after the base
 * schema's piece below.
 */
export interface Migration {
  version: number;
  name: string;
  up(db: Database): void;
}

const sql = (text: string) => (db: Database) => db.exec(text);

const BASE: readonly Migration[] = [
  {
    version: 1,
    name: 'base schema',
    up: sql(`
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

      -- The user's scope as of the last pull: everything of other units is purged.
      CREATE TABLE units (
        unit_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        valid_from TEXT NOT NULL,
        valid_to TEXT,
        position INTEGER NOT NULL
      ) WITHOUT ROWID;

      -- Writes not yet acknowledged by the server, in the order they were made.
      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        mutation_id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        json TEXT NOT NULL,          -- the Mutation as sent
        unit_id TEXT NOT NULL,       -- for purge when the permission ends
        record_id TEXT NOT NULL,
        enqueued_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT
      );
      CREATE INDEX outbox_unit ON outbox (unit_id);

      -- Writes refused for good (by the server, or because the permission ended); the mutation is kept.
      CREATE TABLE refusals (
        mutation_id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        code TEXT NOT NULL,
        message TEXT NOT NULL,
        json TEXT NOT NULL,
        at TEXT NOT NULL,
        dismissed INTEGER NOT NULL DEFAULT 0
      );

      CREATE TABLE cursors (unit_id TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;
    `),
  },
  {
    version: 3,
    name: 'journal drafts and the access-event outbox',
    up: sql(`
      -- Half-written journal entries, saved as the user types (docs/journal.md). One per client for a
      -- new entry (corrects_id '') and one per corrected entry. Purged with their unit.
      CREATE TABLE drafts (
        client_id TEXT NOT NULL,
        corrects_id TEXT NOT NULL DEFAULT '',
        unit_id TEXT NOT NULL,
        json TEXT NOT NULL,          -- JournalDraft
        saved_at TEXT NOT NULL,
        PRIMARY KEY (client_id, corrects_id)
      ) WITHOUT ROWID;
      CREATE INDEX drafts_unit ON drafts (unit_id);

      -- Reads, copies and exports not yet recorded by the server's access log, oldest first.
      CREATE TABLE access_outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        json TEXT NOT NULL,          -- AccessEventInput
        attempts INTEGER NOT NULL DEFAULT 0
      );
    `),
  },
  {
    version: 5,
    name: 'the outbox counts server failures per mutation',
    up: sql(`
      -- How often in a row this mutation, sent alone, was answered with a server error (5xx or an
      -- answer that does not parse) while the server otherwise worked: at POISON_AFTER (main/sync/
      -- poison.ts) it is set aside as a refusal and the queue goes on (docs/sync.md, "A poison pill").
      ALTER TABLE outbox ADD COLUMN server_failures INTEGER NOT NULL DEFAULT 0;
    `),
  },
  {
    version: 13,
    name: 'a mutation the server fails alone is parked, not refused',
    up: sql(`
      -- A mutation that, sent alone, got a server error while pulls worked waits until parked_until
      -- (backoff) while the queue goes on past it; later writes of the same record wait behind it.
      -- A poison pill (it keeps failing while others of its kind are applied, over time) is set
      -- aside for the server it failed on (set_aside_server: version#instance), never deleted: it is
      -- sent again when the server changes (docs/sync.md, "A poison pill").
      ALTER TABLE outbox ADD COLUMN parked_until TEXT;
      ALTER TABLE outbox ADD COLUMN set_aside_server TEXT;
      CREATE INDEX outbox_record ON outbox (record_id, seq);
    `),
  },
];

/** The base schema's migrations and the kinds' pieces, one migration per version. */
export const migrations: readonly Migration[] = (() => {
  const byVersion = new Map<number, { names: string[]; ups: ((db: Database) => void)[] }>();
  const add = (version: number, name: string, up: (db: Database) => void) => {
    const m = byVersion.get(version) ?? { names: [], ups: [] };
    m.names.push(name);
    m.ups.push(up);
    byVersion.set(version, m);
  };
  for (const m of BASE) add(m.version, m.name, m.up);
  for (const kind of STORE_KINDS) for (const part of kind.schema) add(part.version, part.name, sql(part.sql));
  return [...byVersion.entries()]
    .sort(([a], [b]) => a - b)
    .map(([version, m]) => ({ version, name: m.names.join(', '), up: (db: Database) => m.ups.forEach((up) => up(db)) }));
})();

export const LATEST_VERSION = migrations[migrations.length - 1]?.version ?? 0;

/** Runs every migration after the file's user_version, up to `target` (default: the latest). */
export function migrate(db: Database, target = LATEST_VERSION): { from: number; to: number } {
  const from = db.pragma('user_version', { simple: true }) as number;
  if (from > LATEST_VERSION) {
    throw new Error(`the local store has schema version ${from}, newer than the program's ${LATEST_VERSION}`);
  }
  for (const m of migrations) {
    if (m.version <= from || m.version > target) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return { from, to: Math.max(from, Math.min(target, LATEST_VERSION)) };
}
