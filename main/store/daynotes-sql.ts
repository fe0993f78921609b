import { AppFailure, because, type Author, type DayNoteRecord } from '#contract';
import type { LocalDayNote } from '#contract';
import { ftsQuery } from './fts-query';
import { defineStoreKind, prepareAll, RowBatch, utc, type KindPart, type LocalMutations, type Retention, type StoreContext, type UpsertOf } from './kind';

const DAY_MS = 86_400_000;

/** Day notes in the store, with their full-text index; purged after the server's retention period. */

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

const NOTE_COLS = 'id, unit_id, client_id, text, author, created_at, summarised_at, pending';
const N_COLS = NOTE_COLS.split(', ').map((c) => `n.${c}`).join(', ');
/** A pulled day note as the row `upsert` takes (NOTE_COLS order). */
const noteRow = (r: DayNoteRecord, unitId: string): unknown[] => [r.id, unitId, r.clientId, r.text, JSON.stringify(r.author), utc(r.createdAt), r.summarisedAt];

export class DayNotesSql implements KindPart<'day_note'> {
  private readonly st;
  /** A page's upserts, many rows per statement (RowBatch): the full-text trigger runs within a few hundred statements per page. */
  private readonly upserts: RowBatch<UpsertOf<'day_note'>>;
  readonly mutations: LocalMutations<'day_note'>;

  constructor(ctx: StoreContext) {
    const st = prepareAll(ctx.db, {
      del: 'DELETE FROM day_notes WHERE id = ?',
      purge: 'DELETE FROM day_notes WHERE unit_id = ?',
      purgeBefore: 'DELETE FROM day_notes WHERE created_at < ?',
      exists: 'SELECT 1 FROM day_notes WHERE id = ?',
      byId: `SELECT ${NOTE_COLS} FROM day_notes WHERE id = ?`,
      unitOf: 'SELECT unit_id FROM day_notes WHERE id = ?',
      markSummarised: 'UPDATE day_notes SET summarised_at = coalesce(summarised_at, ?) WHERE id = ?',
      insertLocal: `INSERT INTO day_notes (${NOTE_COLS}) VALUES (?, ?, ?, ?, ?, ?, NULL, 1)`,
      deletePending: 'DELETE FROM day_notes WHERE id = ? AND pending = 1',
      first: `SELECT ${NOTE_COLS} FROM day_notes WHERE unit_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`,
      after: `SELECT ${NOTE_COLS} FROM day_notes WHERE unit_id = ? AND (created_at, id) < (?, ?)
        ORDER BY created_at DESC, id DESC LIMIT ?`,
      clientFirst: `SELECT ${NOTE_COLS} FROM day_notes WHERE client_id = ? AND unit_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`,
      clientAfter: `SELECT ${NOTE_COLS} FROM day_notes WHERE client_id = ? AND unit_id = ? AND (created_at, id) < (?, ?)
        ORDER BY created_at DESC, id DESC LIMIT ?`,
      search: `SELECT ${N_COLS} FROM day_notes_fts f JOIN day_notes n ON n.rowid = f.rowid
        WHERE day_notes_fts MATCH ? ORDER BY n.created_at DESC, n.id DESC LIMIT ?`,
      searchUnit: `SELECT ${N_COLS} FROM day_notes_fts f JOIN day_notes n ON n.rowid = f.rowid
        WHERE day_notes_fts MATCH ? AND n.unit_id = ? ORDER BY n.created_at DESC, n.id DESC LIMIT ?`,
    });
    this.st = st;
    this.upserts = new RowBatch(
      ctx.db,
      {
        insert: `INSERT INTO day_notes (${NOTE_COLS})`,
        row: '(?, ?, ?, ?, ?, ?, ?, 0)',
        conflict: `ON CONFLICT (id) DO UPDATE SET unit_id = excluded.unit_id, client_id = excluded.client_id, text = excluded.text,
          author = excluded.author, created_at = excluded.created_at, summarised_at = excluded.summarised_at, pending = 0`,
      },
      7,
      (c) => noteRow(c.record, c.unitId),
    );
    this.mutations = {
      'day_note.create': {
        apply: (m, author, createdAt) => {
          const r = m.record;
          if (!ctx.unitInScope(r.unitId)) throw new AppFailure('FORBIDDEN', 'unit not in the user\'s scope', because('UNIT_NOT_IN_SCOPE'));
          if (r.clientId !== null && ctx.unitOfClient(r.clientId) !== r.unitId) {
            throw new AppFailure('VALIDATION', 'client not in the unit', because('CLIENT_NOT_IN_UNIT'));
          }
          if (st.exists.get(r.id)) throw new AppFailure('CONFLICT', 'day note already exists');
          st.insertLocal.run(r.id, r.unitId, r.clientId, r.text, JSON.stringify(author), createdAt);
          return r.unitId;
        },
        undo: (id) => st.deletePending.run(id),
      },
      'day_note.mark_summarised': {
        apply: (m, _author, createdAt) => {
          const row = st.unitOf.get(m.record.id) as { unit_id: string } | undefined;
          if (!row || !ctx.unitInScope(row.unit_id)) throw new AppFailure('NOT_FOUND', 'day note not in the user\'s units');
          st.markSummarised.run(createdAt, m.record.id);
          return row.unit_id;
        },
        // Nothing to undo: the mark only records that the note was used.
        undo: () => undefined,
      },
    };
  }

  upsert(changes: UpsertOf<'day_note'>[]): void {
    this.upserts.run(changes);
  }

  delete(id: string): void {
    this.st.del.run(id);
  }

  purgeUnit(unitId: string): void {
    this.st.purge.run(unitId);
  }

  retention(page: Retention): number {
    const days = page.retentionDays.day_note;
    // A server without a retention for day notes keeps them: so does the workstation.
    if (days === undefined) return 0;
    return this.purgeBefore(new Date(Date.parse(page.serverTime) - days * DAY_MS));
  }

  record(id: string): DayNoteRecord | null {
    const r = this.st.byId.get(id) as NoteRow | undefined;
    if (!r) return null;
    const { pending: _pending, ...record } = toNote(r);
    return record;
  }

  /** The retention: notes created before `before` are gone on the server too. */
  purgeBefore(before: Date): number {
    return this.st.purgeBefore.run(before.toISOString()).changes;
  }

  list(q: { unitId: string; clientId?: string; limit: number; before?: { createdAt: string; id: string } }): LocalDayNote[] {
    const st = this.st;
    const b = q.before ? [utc(q.before.createdAt), q.before.id] : [];
    const rows =
      q.clientId !== undefined
        ? q.before
          ? st.clientAfter.all(q.clientId, q.unitId, ...b, q.limit)
          : st.clientFirst.all(q.clientId, q.unitId, q.limit)
        : q.before
          ? st.after.all(q.unitId, ...b, q.limit)
          : st.first.all(q.unitId, q.limit);
    return (rows as NoteRow[]).map(toNote);
  }

  search(q: { query: string; unitId?: string; limit: number }): LocalDayNote[] {
    const match = ftsQuery(q.query);
    if (match === null) return [];
    const rows = q.unitId !== undefined ? this.st.searchUnit.all(match, q.unitId, q.limit) : this.st.search.all(match, q.limit);
    return (rows as NoteRow[]).map(toNote);
  }
}

export const dayNotesStore = defineStoreKind({
  name: 'day_note',
  schema: [
    {
      version: 1,
      name: 'day notes',
      sql: `
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
      CREATE INDEX day_notes_created ON day_notes (created_at);`,
    },
    {
      version: 2,
      name: 'full-text search over day notes',
      sql: `
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
      INSERT INTO day_notes_fts (day_notes_fts) VALUES ('rebuild');`,
    },
  ],
  fillTables: ['day_notes'],
  open: (ctx) => new DayNotesSql(ctx),
});
