import Database from 'better-sqlite3-multiple-ciphers';
import {
  AppFailure,
  Mutation as MutationSchema,
  validationDetails,
  type AppError,
  type Author,
  type Change,
  type ClientRecord,
  type DayNoteRecord,
  type JournalEntryRecord,
  type Cursors,
  type Mutation,
  type PermittedUnit,
  PullResponse as PullResponseSchema,
  PULL_NEXT_HEADER,
  type PullNext,
  syncRoutes,
  type PullResponse,
  type AccessEventInput,
  type JournalDraft,
  type SavedDraft,
} from '../../contract';
import { ftsQuery } from './fts-query';
import { InboxSql } from './inbox-sql';
import type { Assignment } from '../../contract/assignments';
import type { InboxPage, InboxQueryParsed } from '../../contract/inbox';
import { migrate } from './migrations';
import type { PageInbox } from './page-inbox';
import type { LocalDayNote, LocalJournalEntry, LocalStore, OutboxEntry, PulledPage, Refusal } from './types';

/** The synchronous twin of LocalStore: what the worker runs. Every method of LocalStore but close. */
export type SyncLocalStore = {
  [K in Exclude<keyof LocalStore, 'close' | 'openPageInbox'>]: LocalStore[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : never;
};

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

const swedishFold = (s: string) =>
  s
    .normalize('NFC')
    .toLocaleLowerCase('sv')
    .replace(/[åäöæøü]/g, (c) => ({ å: '{', ä: '|', æ: '|', ö: '}', ø: '}', ü: 'y' })[c] ?? c)
    .normalize('NFD')
    .replace(/\p{M}/gu, '');
/** Swedish name order (family name, given name; å ä ö after z) as a binary-comparable key. */
export const clientSortKey = (c: Pick<ClientRecord, 'familyName' | 'givenName'>) => `${swedishFold(c.familyName)}\u0001${swedishFold(c.givenName)}`;

/** Timestamps are compared as text: UTC `…Z` strings are kept as they are, others converted to UTC. */
const utc = (iso: string) => (iso.endsWith('Z') ? iso : new Date(iso).toISOString());
/** A pulled journal entry as the row upsertJournal takes (JOURNAL_COLS order, JSON columns as text). */
const journalRow = (r: JournalEntryRecord, unitId: string): unknown[] => [
  r.id, r.clientId, unitId, r.eventDate, utc(r.createdAt), r.text, r.lifeArea, r.assignmentId,
  JSON.stringify(r.author), r.erroneous === null ? null : JSON.stringify(r.erroneous), r.correctsId,
];
/** A pulled day note as the row upsertNote takes (NOTE_COLS order). */
const noteRow = (r: DayNoteRecord, unitId: string): unknown[] => [r.id, unitId, r.clientId, r.text, JSON.stringify(r.author), utc(r.createdAt), r.summarisedAt];
const sameCursors = (a: Cursors, b: Cursors): boolean => {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
};
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

interface JournalRow {
  id: string;
  client_id: string;
  unit_id: string;
  event_date: string;
  created_at: string;
  text: string;
  life_area: string | null;
  assignment_id: string | null;
  author: string;
  erroneous: string | null;
  corrects_id: string | null;
  pending: number;
}
interface NoteRow {
  id: string;
  unit_id: string;
  client_id: string | null;
  text: string;
  author: string;
  created_at: string;
  summarised_at: string | null;
  pending: number;
}
interface ClientRow {
  id: string;
  unit_id: string;
  personnummer: string;
  given_name: string;
  family_name: string;
}

const toJournal = (r: JournalRow): LocalJournalEntry => ({
  id: r.id,
  clientId: r.client_id,
  unitId: r.unit_id,
  eventDate: r.event_date,
  text: r.text,
  lifeArea: r.life_area as LocalJournalEntry['lifeArea'],
  assignmentId: r.assignment_id,
  author: JSON.parse(r.author) as Author,
  createdAt: r.created_at,
  erroneous: r.erroneous === null ? null : (JSON.parse(r.erroneous) as LocalJournalEntry['erroneous']),
  correctsId: r.corrects_id,
  pending: r.pending !== 0,
});
const toNote = (r: NoteRow): LocalDayNote => ({
  id: r.id,
  unitId: r.unit_id,
  clientId: r.client_id,
  text: r.text,
  author: JSON.parse(r.author) as Author,
  createdAt: r.created_at,
  summarisedAt: r.summarised_at,
  pending: r.pending !== 0,
});
const toClient = (r: ClientRow): ClientRecord => ({
  id: r.id,
  unitId: r.unit_id,
  personnummer: r.personnummer,
  givenName: r.given_name,
  familyName: r.family_name,
});

const JOURNAL_COLS = 'id, client_id, unit_id, event_date, created_at, text, life_area, assignment_id, author, erroneous, corrects_id, pending';
const NOTE_COLS = 'id, unit_id, client_id, text, author, created_at, summarised_at, pending';

/**
 * The store's SQL, synchronous, over one better-sqlite3 connection. Runs in the store worker
 * (main/store/worker.ts); tests may use it directly.
 */
/** Pull pages applied in one transaction until this many changes (see applyPulledPage). */
export const GROUP_COMMIT_CHANGES = 10_000;
/**
 * The same while an empty store is filled under a rollback journal: each commit writes (and
 * encrypts) every page it dirtied, and a fresh file's index pages are dirtied by every page, so
 * one commit for a 50k-record first sync instead of five took a quarter off the worker's time.
 * Still bounded, so a crash in a very large first sync loses at most this many pulled changes.
 */
export const BULK_GROUP_COMMIT_CHANGES = 100_000;

export class SqlStore implements SyncLocalStore {
  private group: { changes: number; bulk: boolean; deferredIndexes: string[] } | null = null;
  private readonly st;
  private readonly inboxSql: InboxSql;

  constructor(readonly db: Database.Database) {
    const p = (s: string) => db.prepare(s);
    this.inboxSql = new InboxSql(db, swedishFold);
    this.st = {
      cursors: p('SELECT unit_id, seq FROM cursors'),
      isEmpty: p('SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM cursors) AND NOT EXISTS (SELECT 1 FROM outbox)'),
      unitIds: p('SELECT unit_id FROM units'),
      units: p('SELECT unit_id, name, valid_from, valid_to FROM units ORDER BY position'),
      deleteUnits: p('DELETE FROM units'),
      insertUnit: p('INSERT INTO units (unit_id, name, valid_from, valid_to, position) VALUES (?, ?, ?, ?, ?)'),
      upsertCursor: p('INSERT INTO cursors (unit_id, seq) VALUES (?, ?) ON CONFLICT (unit_id) DO UPDATE SET seq = excluded.seq'),
      upsertClient: p(`INSERT INTO clients (id, unit_id, personnummer, given_name, family_name, sort_key) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET unit_id = excluded.unit_id, personnummer = excluded.personnummer,
          given_name = excluded.given_name, family_name = excluded.family_name, sort_key = excluded.sort_key`),
      // Upserts take a JSON array of row arrays: one statement per page and record type instead of
      // one per record (json_each in C; the day-note full-text trigger then runs inside one
      // statement, which costs a third of thousands of separate ones).
      upsertJournal: p(`INSERT INTO journal_entries (${JOURNAL_COLS})
        SELECT r ->> 0, r ->> 1, r ->> 2, r ->> 3, r ->> 4, r ->> 5, r ->> 6, r ->> 7, r ->> 8, r ->> 9, r ->> 10, 0
          FROM (SELECT value AS r FROM json_each(?)) WHERE true
        ON CONFLICT (id) DO UPDATE SET client_id = excluded.client_id, unit_id = excluded.unit_id, event_date = excluded.event_date,
          created_at = excluded.created_at, text = excluded.text, life_area = excluded.life_area, assignment_id = excluded.assignment_id,
          author = excluded.author, erroneous = excluded.erroneous, corrects_id = excluded.corrects_id, pending = 0`),
      upsertNote: p(`INSERT INTO day_notes (${NOTE_COLS})
        SELECT r ->> 0, r ->> 1, r ->> 2, r ->> 3, r ->> 4, r ->> 5, r ->> 6, 0
          FROM (SELECT value AS r FROM json_each(?)) WHERE true
        ON CONFLICT (id) DO UPDATE SET unit_id = excluded.unit_id, client_id = excluded.client_id, text = excluded.text,
          author = excluded.author, created_at = excluded.created_at, summarised_at = excluded.summarised_at, pending = 0`),
      deleteClient: p('DELETE FROM clients WHERE id = ?'),
      deleteJournal: p('DELETE FROM journal_entries WHERE id = ?'),
      deleteNote: p('DELETE FROM day_notes WHERE id = ?'),
      purgeClients: p('DELETE FROM clients WHERE unit_id = ?'),
      purgeJournal: p('DELETE FROM journal_entries WHERE unit_id = ?'),
      purgeNotes: p('DELETE FROM day_notes WHERE unit_id = ?'),
      purgeCursor: p('DELETE FROM cursors WHERE unit_id = ?'),
      outboxOfUnit: p('SELECT mutation_id, type, json FROM outbox WHERE unit_id = ? ORDER BY seq'),
      insertRefusal: p(`INSERT INTO refusals (mutation_id, type, code, message, json, at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (mutation_id) DO UPDATE SET code = excluded.code, message = excluded.message, at = excluded.at, dismissed = 0`),
      deleteOutbox: p('DELETE FROM outbox WHERE mutation_id = ?'),
      outboxRow: p('SELECT mutation_id, type, json, record_id FROM outbox WHERE mutation_id = ?'),
      insertOutbox: p(`INSERT INTO outbox (mutation_id, type, json, unit_id, record_id, enqueued_at) VALUES (?, ?, ?, ?, ?, ?)`),
      outbox: p('SELECT type, json, attempts, last_error, enqueued_at FROM outbox ORDER BY seq LIMIT ?'),
      outboxCount: p('SELECT count(*) AS n FROM outbox'),
      noteAttempt: p('UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE mutation_id = ?'),
      refusals: p('SELECT mutation_id, type, code, message, at FROM refusals WHERE dismissed = 0 ORDER BY at, mutation_id'),
      dismissRefusal: p('UPDATE refusals SET dismissed = 1 WHERE mutation_id = ?'),
      purgeNotesBefore: p('DELETE FROM day_notes WHERE created_at < ?'),
      clientById: p('SELECT id, unit_id, personnummer, given_name, family_name FROM clients WHERE id = ?'),
      clientInScope: p('SELECT c.unit_id FROM clients c JOIN units u ON u.unit_id = c.unit_id WHERE c.id = ?'),
      unitInScope: p('SELECT 1 FROM units WHERE unit_id = ?'),
      journalById: p(`SELECT ${JOURNAL_COLS} FROM journal_entries WHERE id = ?`),
      noteExists: p('SELECT 1 FROM day_notes WHERE id = ?'),
      noteUnit: p('SELECT unit_id FROM day_notes WHERE id = ?'),
      markSummarised: p('UPDATE day_notes SET summarised_at = coalesce(summarised_at, ?) WHERE id = ?'),
      saveDraft: p(`INSERT INTO drafts (client_id, corrects_id, unit_id, json, saved_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (client_id, corrects_id) DO UPDATE SET unit_id = excluded.unit_id, json = excluded.json, saved_at = excluded.saved_at`),
      draft: p('SELECT d.json, d.saved_at FROM drafts d JOIN units u ON u.unit_id = d.unit_id WHERE d.client_id = ? AND d.corrects_id = ?'),
      deleteDraft: p('DELETE FROM drafts WHERE client_id = ? AND corrects_id = ?'),
      purgeDrafts: p('DELETE FROM drafts WHERE unit_id = ?'),
      enqueueAccess: p('INSERT INTO access_outbox (json) VALUES (?)'),
      accessOutbox: p('SELECT seq, json FROM access_outbox ORDER BY seq LIMIT ?'),
      ackAccess: p('DELETE FROM access_outbox WHERE seq = ?'),
      journalSearch: p(`SELECT ${JOURNAL_COLS} FROM journal_entries WHERE client_id = ? AND instr(lower(text), lower(?)) > 0
        ORDER BY event_date DESC, created_at DESC, id DESC LIMIT ?`),
      insertLocalJournal: p(`INSERT INTO journal_entries (${JOURNAL_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, 1)`),
      insertLocalNote: p(`INSERT INTO day_notes (${NOTE_COLS}) VALUES (?, ?, ?, ?, ?, ?, NULL, 1)`),
      markErroneous: p('UPDATE journal_entries SET erroneous = ?, pending = 1 WHERE id = ?'),
      unmarkErroneous: p('UPDATE journal_entries SET erroneous = NULL, pending = 0 WHERE id = ? AND pending = 1'),
      journalFirst: p(`SELECT ${JOURNAL_COLS} FROM journal_entries WHERE client_id = ?
        ORDER BY event_date DESC, created_at DESC, id DESC LIMIT ?`),
      journalAfter: p(`SELECT ${JOURNAL_COLS} FROM journal_entries WHERE client_id = ? AND (event_date, created_at, id) < (?, ?, ?)
        ORDER BY event_date DESC, created_at DESC, id DESC LIMIT ?`),
      notesFirst: p(`SELECT ${NOTE_COLS} FROM day_notes WHERE unit_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`),
      notesAfter: p(`SELECT ${NOTE_COLS} FROM day_notes WHERE unit_id = ? AND (created_at, id) < (?, ?)
        ORDER BY created_at DESC, id DESC LIMIT ?`),
      clientNotesFirst: p(`SELECT ${NOTE_COLS} FROM day_notes WHERE client_id = ? AND unit_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`),
      clientNotesAfter: p(`SELECT ${NOTE_COLS} FROM day_notes WHERE client_id = ? AND unit_id = ? AND (created_at, id) < (?, ?)
        ORDER BY created_at DESC, id DESC LIMIT ?`),
      search: p(`SELECT ${NOTE_COLS.split(', ').map((c) => `n.${c}`).join(', ')} FROM day_notes_fts f JOIN day_notes n ON n.rowid = f.rowid
        WHERE day_notes_fts MATCH ? ORDER BY n.created_at DESC, n.id DESC LIMIT ?`),
      searchUnit: p(`SELECT ${NOTE_COLS.split(', ').map((c) => `n.${c}`).join(', ')} FROM day_notes_fts f JOIN day_notes n ON n.rowid = f.rowid
        WHERE day_notes_fts MATCH ? AND n.unit_id = ? ORDER BY n.created_at DESC, n.id DESC LIMIT ?`),
    };
  }

  // ---- sync ----

  cursors(): Cursors {
    const out: Cursors = {};
    for (const r of this.st.cursors.all() as { unit_id: string; seq: number }[]) out[r.unit_id] = r.seq;
    return out;
  }

  /** Where the pull worker delivers page bytes (set by the worker, see page-inbox.ts). */
  pageInbox: PageInbox | null = null;
  private readonly pulled = new Map<number, Pick<PullResponse, 'units' | 'changes' | 'cursors' | 'hasMore'>>();
  private nextPageId = 1;

  /** readPullPage of a page the pull worker delivered to the page inbox. */
  readFetchedPage(ticket: number, expect?: PullNext): PulledPage {
    if (!this.pageInbox) throw new AppFailure('INTERNAL', 'The store has no page inbox (openPageInbox first)');
    return this.readPullPage(this.pageInbox.take(ticket), expect);
  }

  readPullPage(bytes: Uint8Array, expect?: PullNext): PulledPage {
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(bytes));
    } catch (e) {
      throw new AppFailure('SERVER_UNREACHABLE', `Svaret avbröts (${(e as Error).name})`);
    }
    const parsed = PullResponseSchema.safeParse(json);
    if (!parsed.success) {
      const inChange = parsed.error.issues.some((i) => i.path[0] === 'changes' && i.path.length > 1);
      throw new AppFailure('SERVER_ERROR', `Servern svarade på ${syncRoutes.pull.path} med ${inChange ? 'en ändring i fel format' : 'fel format'}`);
    }
    const page = parsed.data;
    if (expect && (expect.hasMore !== page.hasMore || !sameCursors(expect.cursors, page.cursors))) {
      throw new AppFailure('SERVER_ERROR', `Servern svarade på ${syncRoutes.pull.path} med ett ${PULL_NEXT_HEADER}-huvud som inte stämmer med svaret`);
    }
    // At most the page being applied and the next one wait here; more means an abandoned run.
    if (this.pulled.size >= 4) this.pulled.clear();
    const pageId = this.nextPageId++;
    this.pulled.set(pageId, { units: page.units, changes: page.changes, cursors: page.cursors, hasMore: page.hasMore });
    return {
      pageId,
      units: page.units,
      cursors: page.cursors,
      hasMore: page.hasMore,
      serverTime: page.serverTime,
      dayNoteRetentionDays: page.dayNoteRetentionDays,
      types: [...new Set(page.changes.map((c) => c.type))],
      count: page.changes.length,
    };
  }

  /**
   * Applies a page read by readPullPage. Pages are group-committed: one transaction spans the pages
   * of a run until GROUP_COMMIT_CHANGES changes or the run's last page (`hasMore: false`), and any
   * other call commits it first (`settle`, called by the worker before every other method). A
   * commit costs in proportion to the pages it dirties, and 2,000 changes scattered over the
   * indexes dirty nearly as many pages as 10,000 do, so one commit per page made a first sync
   * several times slower. Nothing the user wrote waits in such a transaction (writes settle it
   * first), and the cursors are in it, so a crash loses only pulled changes, which are pulled again.
   */
  applyPulledPage(pageId: number): void {
    const page = this.pulled.get(pageId);
    if (!page) throw new AppFailure('INTERNAL', 'The pull page to apply is not in the store (read it first)');
    this.pulled.delete(pageId);
    if (!this.group) {
      // Pulled changes need no fsync of their own: the server has them. NORMAL keeps the file
      // consistent and the order of commits, and the next user write (FULL) syncs them.
      // No automatic checkpoints during the run either: one at its end copies each page once,
      // where one per commit copied the same index pages again and again.
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('wal_autocheckpoint = 0');
      // Filling an empty store (first sync, resync), the pages go straight into the file under a
      // rollback journal instead of through the WAL: the checkpoint at the end would decrypt and
      // encrypt the whole new file once more (SQLite3MultipleCiphers encrypts at the file level),
      // ~0.4 s of a 50k-record first sync. The journal holds the few pages the empty file had, is
      // encrypted as the WAL is, and a crash rolls the open group back as it would in WAL mode.
      // Back to WAL when the group ends (restoreWriteSettings).
      const bulk = this.st.isEmpty.get() !== undefined;
      if (bulk) this.db.pragma('journal_mode = DELETE');
      this.db.exec('BEGIN IMMEDIATE');
      this.group = { changes: 0, bulk, deferredIndexes: bulk ? this.dropSecondaryIndexes() : [] };
    }
    try {
      this.applyPullBody(page);
      this.group.changes += page.changes.length;
      if (page.hasMore && this.group.changes >= (this.group.bulk ? BULK_GROUP_COMMIT_CHANGES : GROUP_COMMIT_CHANGES)) {
        this.restoreIndexes(this.group);
        this.db.exec('COMMIT');
        this.db.exec('BEGIN IMMEDIATE');
        this.group.changes = 0;
      }
    } catch (e) {
      // Not committed: the pages (and their cursors) are pulled again by the next run.
      const { bulk } = this.group;
      this.group = null;
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.restoreWriteSettings(bulk);
      throw e;
    }
    if (!page.hasMore) {
      this.settle();
      // The run is over: now copy the WAL into the file, once.
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    }
  }

  /**
   * Commits the pull pages applied since the last commit and restores the write settings (see
   * applyPulledPage). Cheap when called by another call in the middle of a run: the checkpoint
   * waits for the run's last page (or SQLite's own, once automatic checkpoints are back on).
   */
  settle(): void {
    if (!this.group) return;
    const group = this.group;
    const { bulk } = group;
    this.group = null;
    try {
      this.restoreIndexes(group);
      this.db.exec('COMMIT');
    } catch (e) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw e;
    } finally {
      this.restoreWriteSettings(bulk);
    }
  }

  /**
   * Filling an empty store, the journal's and day notes' secondary indexes are dropped inside the
   * group's transaction and built again, from their own SQL in sqlite_master, before it commits
   * (restoreIndexes): building an index over sorted rows once costs a fraction of tens of
   * thousands of inserts at random places in five B-trees (a third of the worker's time in a
   * first sync). Nothing reads without them: every other call commits the group first, which
   * builds them; a crash rolls the drop back with the rest. The primary keys and UNIQUE ids stay
   * (the upserts need them), and so does the full-text index.
   */
  private dropSecondaryIndexes(): string[] {
    const indexes = this.db
      .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('journal_entries', 'day_notes')`)
      .all() as { name: string; sql: string }[];
    for (const { name } of indexes) this.db.exec(`DROP INDEX "${name.replaceAll('"', '""')}"`);
    return indexes.map((i) => i.sql);
  }

  private restoreIndexes(group: { deferredIndexes: string[] }): void {
    for (const sql of group.deferredIndexes.splice(0)) this.db.exec(sql);
  }

  private restoreWriteSettings(fromBulk: boolean): void {
    if (fromBulk) this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('wal_autocheckpoint = 1000');
  }

  applyPull(pull: Pick<PullResponse, 'units' | 'changes' | 'cursors'>): void {
    this.settle();
    this.db.transaction(() => this.applyPullBody(pull)).immediate();
  }

  private applyPullBody(pull: Pick<PullResponse, 'units' | 'changes' | 'cursors'>): void {
    const st = this.st;
    const scope = new Set(pull.units.map((u) => u.unitId));
    const before = (st.unitIds.all() as { unit_id: string }[]).map((r) => r.unit_id);
    const known = new Set([...before, ...Object.keys(this.cursors())]);
    st.deleteUnits.run();
    pull.units.forEach((u, i) => st.insertUnit.run(u.unitId, u.name, u.validFrom, u.validTo, i));
    // Every row belongs to a unit that was in scope when it was written, so purging the units
    // that left the scope removes everything out of scope.
    for (const unitId of known) if (!scope.has(unitId)) this.purgeUnit(unitId);
    const journal: unknown[][] = [];
    const notes: unknown[][] = [];
    for (const c of pull.changes) {
      if (!scope.has(c.unitId)) continue;
      // A record comes at most once per page (the feed holds its latest change), so gathering the
      // upserts of a type into one statement keeps the page's meaning.
      if (c.op === 'upsert' && c.type === 'journal_entry') journal.push(journalRow(c.record, c.unitId));
      else if (c.op === 'upsert' && c.type === 'day_note') notes.push(noteRow(c.record, c.unitId));
      else this.applyChange(c);
    }
    if (journal.length > 0) st.upsertJournal.run(JSON.stringify(journal));
    if (notes.length > 0) st.upsertNote.run(JSON.stringify(notes));
    for (const [unitId, seq] of Object.entries(pull.cursors)) if (scope.has(unitId)) st.upsertCursor.run(unitId, seq);
  }

  private purgeUnit(unitId: string): void {
    const st = this.st;
    const at = new Date().toISOString();
    for (const o of st.outboxOfUnit.all(unitId) as { mutation_id: string; type: string; json: string }[]) {
      st.insertRefusal.run(o.mutation_id, o.type, 'PERMISSION_ENDED', 'Behörigheten till enheten har upphört; ändringen skickades inte.', o.json, at);
      st.deleteOutbox.run(o.mutation_id);
    }
    st.purgeJournal.run(unitId);
    st.purgeNotes.run(unitId);
    st.purgeClients.run(unitId);
    this.inboxSql.purgeUnit(unitId);
    st.purgeDrafts.run(unitId);
    st.purgeCursor.run(unitId);
  }

  private applyChange(c: Change): void {
    const st = this.st;
    if (c.op === 'delete' && c.type === 'assignment') {
      this.inboxSql.delete(c.id);
      return;
    }
    if (c.op === 'delete') {
      (c.type === 'client' ? st.deleteClient : c.type === 'journal_entry' ? st.deleteJournal : st.deleteNote).run(c.id);
      return;
    }
    switch (c.type) {
      case 'client': {
        const r = c.record;
        st.upsertClient.run(r.id, c.unitId, r.personnummer, r.givenName, r.familyName, clientSortKey(r));
        return;
      }
      case 'journal_entry':
        st.upsertJournal.run(JSON.stringify([journalRow(c.record, c.unitId)]));
        return;
      case 'assignment':
        this.inboxSql.upsert(c.record, c.unitId);
        return;
      case 'day_note':
        st.upsertNote.run(JSON.stringify([noteRow(c.record, c.unitId)]));
        return;
    }
  }

  purgeDayNotesBefore(before: Date): number {
    return this.st.purgeNotesBefore.run(before.toISOString()).changes;
  }

  enqueue(mutation: Mutation, author: Author): void {
    const parsed = MutationSchema.safeParse(mutation);
    if (!parsed.success) throw new AppFailure('VALIDATION', 'Ogiltig ändring', validationDetails(parsed.error));
    const m = parsed.data;
    const st = this.st;
    const createdAt = utc(m.createdAt);
    this.db
      .transaction(() => {
        if (st.outboxRow.get(m.mutationId)) return; // the same mutation again: already queued
        let unitId: string;
        switch (m.type) {
          case 'journal_entry.create': {
            const r = m.record;
            unitId = this.unitOfClient(r.clientId);
            if (st.journalById.get(r.id)) throw new AppFailure('CONFLICT', 'Journalanteckningen finns redan');
            st.insertLocalJournal.run(r.id, r.clientId, unitId, r.eventDate, createdAt, r.text, r.lifeArea, r.assignmentId, JSON.stringify(author), r.correctsId);
            break;
          }
          case 'journal_entry.mark_erroneous': {
            const row = st.journalById.get(m.record.id) as JournalRow | undefined;
            if (!row || !st.unitInScope.get(row.unit_id)) throw new AppFailure('FORBIDDEN', 'Journalanteckningen finns inte bland brukarna du har behörighet till');
            if (row.erroneous !== null) throw new AppFailure('CONFLICT', 'Journalanteckningen är redan felmarkerad');
            unitId = row.unit_id;
            st.markErroneous.run(JSON.stringify({ markedAt: createdAt, markedBy: author, reason: m.record.reason }), row.id);
            break;
          }
          case 'day_note.mark_summarised': {
            const row = st.noteUnit.get(m.record.id) as { unit_id: string } | undefined;
            if (!row || !st.unitInScope.get(row.unit_id)) throw new AppFailure('NOT_FOUND', 'Daganteckningen finns inte bland dina enheter');
            unitId = row.unit_id;
            st.markSummarised.run(createdAt, m.record.id);
            break;
          }
          case 'day_note.create': {
            const r = m.record;
            if (!st.unitInScope.get(r.unitId)) throw new AppFailure('FORBIDDEN', 'Enheten finns inte bland dina behörigheter');
            if (r.clientId !== null && this.unitOfClient(r.clientId) !== r.unitId) {
              throw new AppFailure('VALIDATION', 'Brukaren hör inte till enheten');
            }
            if (st.noteExists.get(r.id)) throw new AppFailure('CONFLICT', 'Daganteckningen finns redan');
            unitId = r.unitId;
            st.insertLocalNote.run(r.id, r.unitId, r.clientId, r.text, JSON.stringify(author), createdAt);
            break;
          }
        }
        st.insertOutbox.run(m.mutationId, m.type, JSON.stringify(m), unitId, m.record.id, new Date().toISOString());
      })
      .immediate();
  }

  private unitOfClient(clientId: string): string {
    const row = this.st.clientInScope.get(clientId) as { unit_id: string } | undefined;
    if (!row) throw new AppFailure('FORBIDDEN', 'Brukaren finns inte bland brukarna du har behörighet till');
    return row.unit_id;
  }

  outbox(limit: number): OutboxEntry[] {
    return (this.st.outbox.all(limit) as { type: OutboxEntry['type']; json: string; attempts: number; last_error: string | null; enqueued_at: string }[]).map((r) => ({
      mutation: JSON.parse(r.json) as Mutation,
      type: r.type,
      attempts: r.attempts,
      lastError: r.last_error,
      enqueuedAt: r.enqueued_at,
    }));
  }

  outboxCount(): number {
    return (this.st.outboxCount.get() as { n: number }).n;
  }

  acknowledge(mutationIds: string[]): void {
    this.db.transaction(() => {
      for (const id of mutationIds) this.st.deleteOutbox.run(id);
    })();
  }

  refuse(mutationId: string, error: Pick<AppError, 'code' | 'message'>): void {
    const st = this.st;
    this.db
      .transaction(() => {
        const row = st.outboxRow.get(mutationId) as { mutation_id: string; type: string; json: string; record_id: string } | undefined;
        if (!row) return;
        st.insertRefusal.run(mutationId, row.type, error.code, error.message, row.json, new Date().toISOString());
        st.deleteOutbox.run(mutationId);
        // The local record goes; the mutation (with its text) stays in refusals, so nothing is lost silently.
        if (row.type === 'journal_entry.create') this.db.prepare('DELETE FROM journal_entries WHERE id = ? AND pending = 1').run(row.record_id);
        else if (row.type === 'day_note.create') this.db.prepare('DELETE FROM day_notes WHERE id = ? AND pending = 1').run(row.record_id);
        else if (row.type === 'journal_entry.mark_erroneous') st.unmarkErroneous.run(row.record_id);
      })
      .immediate();
  }

  refusals(): Refusal[] {
    return (this.st.refusals.all() as { mutation_id: string; type: Refusal['type']; code: Refusal['code']; message: string; at: string }[]).map((r) => ({
      mutationId: r.mutation_id,
      type: r.type,
      code: r.code,
      message: r.message,
      at: r.at,
    }));
  }

  dismissRefusal(mutationId: string): void {
    this.st.dismissRefusal.run(mutationId);
  }

  noteAttempt(mutationIds: string[], error: string | null): void {
    this.db.transaction(() => {
      for (const id of mutationIds) this.st.noteAttempt.run(error, id);
    })();
  }

  // ---- reads ----

  units(): PermittedUnit[] {
    return (this.st.units.all() as { unit_id: string; name: string; valid_from: string; valid_to: string | null }[]).map((r) => ({
      unitId: r.unit_id,
      name: r.name,
      validFrom: r.valid_from,
      validTo: r.valid_to,
    }));
  }

  clients(q: { unitId?: string; search?: string; limit: number; offset?: number }): ClientRecord[] {
    const where: string[] = ['unit_id IN (SELECT unit_id FROM units)'];
    const args: unknown[] = [];
    if (q.unitId !== undefined) {
      where.push('unit_id = ?');
      args.push(q.unitId);
    }
    const words = (q.search ?? '').trim().split(/\s+/).filter(Boolean).slice(0, 4);
    for (const w of words) {
      if (/^\d[\d-]*$/.test(w)) {
        where.push(`personnummer LIKE ? ESCAPE '\\'`);
        args.push(`%${likeEscape(w.replace(/-/g, ''))}%`);
      } else {
        // sort_key holds both names folded; a word matches the start of either name.
        const f = likeEscape(swedishFold(w));
        where.push(`(sort_key LIKE ? ESCAPE '\\' OR sort_key LIKE ? ESCAPE '\\' OR sort_key LIKE ? ESCAPE '\\')`);
        args.push(`${f}%`, `%\u0001${f}%`, `% ${f}%`);
      }
    }
    args.push(q.limit, q.offset ?? 0);
    const rows = this.db
      .prepare(`SELECT id, unit_id, personnummer, given_name, family_name FROM clients WHERE ${where.join(' AND ')} ORDER BY sort_key, id LIMIT ? OFFSET ?`)
      .all(...args) as ClientRow[];
    return rows.map(toClient);
  }

  client(id: string): ClientRecord | null {
    const r = this.st.clientById.get(id) as ClientRow | undefined;
    return r && this.st.unitInScope.get(r.unit_id) ? toClient(r) : null;
  }

  journal(q: { clientId: string; limit: number; search?: string; before?: { eventDate: string; createdAt: string; id: string } }): LocalJournalEntry[] {
    const search = q.search?.trim();
    if (search) {
      // A client's journal is thousands of entries at most: a scan of them is fast enough (bench/journal.ts).
      const words = search.split(/\s+/).slice(0, 6);
      const rows = (this.st.journalSearch.all(q.clientId, words[0], 5_000) as JournalRow[])
        .filter((r) => words.every((w) => r.text.toLocaleLowerCase('sv').includes(w.toLocaleLowerCase('sv'))))
        .slice(0, q.limit);
      return rows.map(toJournal);
    }
    const rows = q.before
      ? this.st.journalAfter.all(q.clientId, q.before.eventDate, utc(q.before.createdAt), q.before.id, q.limit)
      : this.st.journalFirst.all(q.clientId, q.limit);
    return (rows as JournalRow[]).map(toJournal);
  }

  dayNotes(q: { unitId: string; clientId?: string; limit: number; before?: { createdAt: string; id: string } }): LocalDayNote[] {
    const st = this.st;
    const b = q.before ? [utc(q.before.createdAt), q.before.id] : [];
    const rows =
      q.clientId !== undefined
        ? q.before
          ? st.clientNotesAfter.all(q.clientId, q.unitId, ...b, q.limit)
          : st.clientNotesFirst.all(q.clientId, q.unitId, q.limit)
        : q.before
          ? st.notesAfter.all(q.unitId, ...b, q.limit)
          : st.notesFirst.all(q.unitId, q.limit);
    return (rows as NoteRow[]).map(toNote);
  }

  searchDayNotes(q: { query: string; unitId?: string; limit: number }): LocalDayNote[] {
    const match = ftsQuery(q.query);
    if (match === null) return [];
    const rows = q.unitId !== undefined ? this.st.searchUnit.all(match, q.unitId, q.limit) : this.st.search.all(match, q.limit);
    return (rows as NoteRow[]).map(toNote);
  }

  enqueueEntry(mutations: Mutation[], author: Author, draft: { clientId: string; correctsId: string | null } | null): void {
    this.db
      .transaction(() => {
        for (const m of mutations) {
          try {
            this.enqueue(m, author); // nested: a savepoint
          } catch (e) {
            if (!(m.type === 'day_note.mark_summarised' && e instanceof AppFailure && e.code === 'NOT_FOUND')) throw e;
          }
        }
        if (draft) this.st.deleteDraft.run(draft.clientId, draft.correctsId ?? '');
      })
      .immediate();
  }

  journalEntry(id: string): LocalJournalEntry | null {
    const r = this.st.journalById.get(id) as JournalRow | undefined;
    return r && this.st.unitInScope.get(r.unit_id) ? toJournal(r) : null;
  }

  // ---- drafts ----

  saveDraft(draft: JournalDraft, savedAt: string): SavedDraft {
    const unitId = this.unitOfClient(draft.clientId);
    this.st.saveDraft.run(draft.clientId, draft.correctsId ?? '', unitId, JSON.stringify(draft), utc(savedAt));
    return { ...draft, savedAt: utc(savedAt) };
  }

  draft(clientId: string, correctsId: string | null): SavedDraft | null {
    const r = this.st.draft.get(clientId, correctsId ?? '') as { json: string; saved_at: string } | undefined;
    return r ? { ...(JSON.parse(r.json) as JournalDraft), savedAt: r.saved_at } : null;
  }

  deleteDraft(clientId: string, correctsId: string | null): boolean {
    return this.st.deleteDraft.run(clientId, correctsId ?? '').changes > 0;
  }

  // ---- access events ----

  enqueueAccess(events: AccessEventInput[]): void {
    this.db.transaction(() => {
      for (const e of events) this.st.enqueueAccess.run(JSON.stringify(e));
    })();
  }

  accessOutbox(limit: number): { seq: number; event: AccessEventInput }[] {
    return (this.st.accessOutbox.all(limit) as { seq: number; json: string }[]).map((r) => ({ seq: r.seq, event: JSON.parse(r.json) as AccessEventInput }));
  }

  ackAccess(seqs: number[]): void {
    this.db.transaction(() => {
      for (const s of seqs) this.st.ackAccess.run(s);
    })();
  }

  /** The assignment inbox: filters, sorting, paging, counts per status, the needs-action count. */
  inboxList(q: InboxQueryParsed): InboxPage {
    return this.inboxSql.list(q);
  }

  /** One assignment of the user's units, with its history, as last pulled; null when not here. */
  inboxAssignment(id: string): Assignment | null {
    return this.inboxSql.get(id);
  }

  /** Benchmarks only: a pull's worth of changes without the scope bookkeeping per call. */
  bulkLoad(pull: Pick<PullResponse, 'units' | 'changes' | 'cursors'>): number {
    this.applyPull(pull);
    return pull.changes.length;
  }

  close(): void {
    if (this.db.open) {
      this.settle();
      this.db.close();
    }
  }
}
