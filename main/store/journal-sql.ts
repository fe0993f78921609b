import { AppFailure, because, type Author, type JournalEntryRecord } from '#contract';
import type { LocalJournalEntry } from '#contract';
import { defineStoreKind, prepareAll, RowBatch, utc, type KindPart, type LocalMutations, type StoreContext, type UpsertOf } from './kind';

/** Execution journal entries in the store: pulled ones, and the user's own pending until the server has them. */

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

const JOURNAL_COLS = 'id, client_id, unit_id, event_date, created_at, text, life_area, assignment_id, author, erroneous, corrects_id, pending';
/** A pulled journal entry as the row `upsert` takes (JOURNAL_COLS order, JSON columns as text). */
const journalRow = (r: JournalEntryRecord, unitId: string): unknown[] => [
  r.id, r.clientId, unitId, r.eventDate, utc(r.createdAt), r.text, r.lifeArea, r.assignmentId,
  JSON.stringify(r.author), r.erroneous === null ? null : JSON.stringify(r.erroneous), r.correctsId,
];

export class JournalSql implements KindPart<'journal_entry'> {
  private readonly st;
  /** A page's upserts, many rows per statement (RowBatch). */
  private readonly upserts: RowBatch<UpsertOf<'journal_entry'>>;
  readonly mutations: LocalMutations<'journal_entry'>;
  private readonly unitInScope: StoreContext['unitInScope'];

  constructor(ctx: StoreContext) {
    this.unitInScope = ctx.unitInScope;
    const st = prepareAll(ctx.db, {
      del: 'DELETE FROM journal_entries WHERE id = ?',
      purge: 'DELETE FROM journal_entries WHERE unit_id = ?',
      byId: `SELECT ${JOURNAL_COLS} FROM journal_entries WHERE id = ?`,
      search: `SELECT ${JOURNAL_COLS} FROM journal_entries WHERE client_id = ? AND instr(lower(text), lower(?)) > 0
        ORDER BY event_date DESC, created_at DESC, id DESC LIMIT ?`,
      insertLocal: `INSERT INTO journal_entries (${JOURNAL_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, 1)`,
      deletePending: 'DELETE FROM journal_entries WHERE id = ? AND pending = 1',
      markErroneous: 'UPDATE journal_entries SET erroneous = ?, pending = 1 WHERE id = ?',
      unmarkErroneous: 'UPDATE journal_entries SET erroneous = NULL, pending = 0 WHERE id = ? AND pending = 1',
      first: `SELECT ${JOURNAL_COLS} FROM journal_entries WHERE client_id = ?
        ORDER BY event_date DESC, created_at DESC, id DESC LIMIT ?`,
      after: `SELECT ${JOURNAL_COLS} FROM journal_entries WHERE client_id = ? AND (event_date, created_at, id) < (?, ?, ?)
        ORDER BY event_date DESC, created_at DESC, id DESC LIMIT ?`,
    });
    this.st = st;
    this.upserts = new RowBatch(
      ctx.db,
      {
        insert: `INSERT INTO journal_entries (${JOURNAL_COLS})`,
        row: '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)',
        conflict: `ON CONFLICT (id) DO UPDATE SET client_id = excluded.client_id, unit_id = excluded.unit_id, event_date = excluded.event_date,
          created_at = excluded.created_at, text = excluded.text, life_area = excluded.life_area, assignment_id = excluded.assignment_id,
          author = excluded.author, erroneous = excluded.erroneous, corrects_id = excluded.corrects_id, pending = 0`,
      },
      11,
      (c) => journalRow(c.record, c.unitId),
    );
    this.mutations = {
      'journal_entry.create': {
        apply: (m, author, createdAt) => {
          const r = m.record;
          const unitId = ctx.unitOfClient(r.clientId);
          if (st.byId.get(r.id)) throw new AppFailure('CONFLICT', 'journal entry already exists');
          st.insertLocal.run(r.id, r.clientId, unitId, r.eventDate, createdAt, r.text, r.lifeArea, r.assignmentId, JSON.stringify(author), r.correctsId);
          return unitId;
        },
        undo: (id) => st.deletePending.run(id),
      },
      'journal_entry.mark_erroneous': {
        apply: (m, author, createdAt) => {
          const row = st.byId.get(m.record.id) as JournalRow | undefined;
          if (!row || !ctx.unitInScope(row.unit_id)) throw new AppFailure('FORBIDDEN', 'journal entry not in the user\'s units', because('JOURNAL_ENTRY_NOT_PERMITTED'));
          if (row.erroneous !== null) throw new AppFailure('CONFLICT', 'journal entry already marked erroneous', because('JOURNAL_ALREADY_ERRONEOUS'));
          st.markErroneous.run(JSON.stringify({ markedAt: createdAt, markedBy: author, reason: m.record.reason }), row.id);
          return row.unit_id;
        },
        undo: (id) => st.unmarkErroneous.run(id),
      },
    };
  }

  upsert(changes: UpsertOf<'journal_entry'>[]): void {
    this.upserts.run(changes);
  }

  delete(id: string): void {
    this.st.del.run(id);
  }

  purgeUnit(unitId: string): void {
    this.st.purge.run(unitId);
  }

  list(q: { clientId: string; limit: number; search?: string; before?: { eventDate: string; createdAt: string; id: string } }): LocalJournalEntry[] {
    const search = q.search?.trim();
    if (search) {
      // A client's journal is thousands of entries at most: a scan of them is fast enough (bench/journal.ts).
      const words = search.split(/\s+/).slice(0, 6);
      const rows = (this.st.search.all(q.clientId, words[0], 5_000) as JournalRow[])
        .filter((r) => words.every((w) => r.text.toLocaleLowerCase('sv').includes(w.toLocaleLowerCase('sv'))))
        .slice(0, q.limit);
      return rows.map(toJournal);
    }
    const rows = q.before
      ? this.st.after.all(q.clientId, q.before.eventDate, utc(q.before.createdAt), q.before.id, q.limit)
      : this.st.first.all(q.clientId, q.limit);
    return (rows as JournalRow[]).map(toJournal);
  }

  record(id: string): JournalEntryRecord | null {
    const r = this.st.byId.get(id) as JournalRow | undefined;
    if (!r) return null;
    const { pending: _pending, ...record } = toJournal(r);
    return record;
  }

  get(id: string): LocalJournalEntry | null {
    const r = this.st.byId.get(id) as JournalRow | undefined;
    return r && this.unitInScope(r.unit_id) ? toJournal(r) : null;
  }
}

export const journalStore = defineStoreKind({
  name: 'journal_entry',
  schema: [
    {
      version: 1,
      name: 'journal entries',
      sql: `
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
      CREATE INDEX journal_unit ON journal_entries (unit_id);`,
    },
  ],
  fillTables: ['journal_entries'],
  open: (ctx) => new JournalSql(ctx),
});
