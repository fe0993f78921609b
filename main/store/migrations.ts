import type { Database } from 'better-sqlite3-multiple-ciphers';
import { ASSIGNMENTS_SCHEMA } from './inbox-sql';

/**
 * The local store's schema, as an ordered list of migrations. `PRAGMA user_version` holds the
 * number of the last one applied; each runs in its own transaction together with the bump of
 * user_version, so a crash leaves the file at the previous version, never half-way.
 * Never edit a migration that has shipped: add the next one.
 */
export interface Migration {
  version: number;
  name: string;
  up(db: Database): void;
}

const sql = (text: string) => (db: Database) => db.exec(text);

export const migrations: readonly Migration[] = [
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

      CREATE TABLE clients (
        id TEXT PRIMARY KEY,
        unit_id TEXT NOT NULL,
        personnummer TEXT NOT NULL,
        given_name TEXT NOT NULL,
        family_name TEXT NOT NULL,
        -- family, given name folded for Swedish order (å ä ö after z), computed on write
        sort_key TEXT NOT NULL
      );
      CREATE INDEX clients_unit_sort ON clients (unit_id, sort_key, id);
      CREATE INDEX clients_sort ON clients (sort_key, id);

      CREATE TABLE journal_entries (
        id TEXT PRIMARY KEY,
        client_id TEXT NOT NULL,
        unit_id TEXT NOT NULL,
        event_date TEXT NOT NULL,
        created_at TEXT NOT NULL,
        text TEXT NOT NULL,
        life_area TEXT,
        assignment_id TEXT,
        author TEXT NOT NULL,      -- JSON Author
        erroneous TEXT,            -- JSON {markedAt, markedBy, reason} or NULL
        corrects_id TEXT,
        pending INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX journal_client_order ON journal_entries (client_id, event_date DESC, created_at DESC, id DESC);
      CREATE INDEX journal_unit ON journal_entries (unit_id);

      CREATE TABLE day_notes (
        rowid INTEGER PRIMARY KEY,  -- stable rowid: the full-text index refers to it
        id TEXT NOT NULL UNIQUE,
        unit_id TEXT NOT NULL,
        client_id TEXT,
        text TEXT NOT NULL,
        author TEXT NOT NULL,       -- JSON Author
        created_at TEXT NOT NULL,
        summarised_at TEXT,
        pending INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX day_notes_unit_order ON day_notes (unit_id, created_at DESC, id DESC);
      CREATE INDEX day_notes_client_order ON day_notes (client_id, created_at DESC, id DESC) WHERE client_id IS NOT NULL;
      CREATE INDEX day_notes_created ON day_notes (created_at);

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
    version: 2,
    name: 'full-text search over day notes',
    up: sql(`
      -- External content: the text lives once, in day_notes; triggers keep the index in step.
      -- No diacritic folding: in Swedish å, ä, ö are letters of their own (får ≠ far).
      CREATE VIRTUAL TABLE day_notes_fts USING fts5 (
        text,
        content = 'day_notes',
        content_rowid = 'rowid',
        tokenize = 'unicode61 remove_diacritics 0'
      );
      CREATE TRIGGER day_notes_fts_ai AFTER INSERT ON day_notes BEGIN
        INSERT INTO day_notes_fts (rowid, text) VALUES (new.rowid, new.text);
      END;
      CREATE TRIGGER day_notes_fts_ad AFTER DELETE ON day_notes BEGIN
        INSERT INTO day_notes_fts (day_notes_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
      END;
      CREATE TRIGGER day_notes_fts_au AFTER UPDATE OF text ON day_notes BEGIN
        INSERT INTO day_notes_fts (day_notes_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
        INSERT INTO day_notes_fts (rowid, text) VALUES (new.rowid, new.text);
      END;
      INSERT INTO day_notes_fts (day_notes_fts) VALUES ('rebuild');
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
    version: 4,
    name: 'assignment inbox',
    // Assignments of the user's units, synced (record type 'assignment'); see main/store/inbox-sql.ts.
    up: sql(ASSIGNMENTS_SCHEMA),
  },
];

export const LATEST_VERSION = migrations[migrations.length - 1]?.version ?? 0;

/** Runs every migration after the file's user_version, up to `target` (default: the latest). */
export function migrate(db: Database, target = LATEST_VERSION): { from: number; to: number } {
  const from = db.pragma('user_version', { simple: true }) as number;
  if (from > LATEST_VERSION) {
    throw new Error(`Den lokala databasen har schemaversion ${from}, nyare än programmets ${LATEST_VERSION}.`);
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
