import { AppFailure, because, type Author, type LocalMessage, type MessageDraft, type LocalThreadDetail, type LocalThreadSummary, type MessageParticipant, type MessageAttachment, type MessageRead, type MessageRecord, type MessageThreadRecord } from '#contract';
import { ftsQuery } from './fts-query';
import { defineStoreKind, likeEscape, prepareAll, utc, type KindPart, type LocalMutations, type StoreContext, type UpsertOf } from './kind';

/**
 * Secure messages in the store (docs/messages.md): the user's threads and their messages, as the
 * server's feed gave them (only threads the user may read reach this file), the receipts exploded
 * into `message_reads` so "unread by me" is an index probe, a full-text index for search in one's
 * own threads, and autosaved drafts. Two kinds, `message_thread` and `message`; the reads are the
 * message part's.
 */

interface ThreadRow {
  id: string;
  unit_id: string;
  subject: string;
  client_id: string | null;
  assignment_id: string | null;
  to_unit: number;
  participants: string;
  author: string;
  created_at: string;
  pending: number;
}
interface MessageRow {
  id: string;
  thread_id: string;
  unit_id: string;
  text: string;
  author: string;
  created_at: string;
  reads: string;
  attachment: string | null;
  pending: number;
}
type SummaryRow = ThreadRow & { last_message_at: string; message_count: number; unread: number; pending_messages: number; last_message: string | null; client_name: string | null };

const toThread = (r: ThreadRow): MessageThreadRecord => ({
  id: r.id,
  unitId: r.unit_id,
  subject: r.subject,
  clientId: r.client_id,
  assignmentId: r.assignment_id,
  toUnit: r.to_unit !== 0,
  participants: JSON.parse(r.participants) as MessageParticipant[],
  author: JSON.parse(r.author) as Author,
  createdAt: r.created_at,
});
const toMessage = (r: MessageRow): MessageRecord => ({
  id: r.id,
  threadId: r.thread_id,
  unitId: r.unit_id,
  text: r.text,
  author: JSON.parse(r.author) as Author,
  createdAt: r.created_at,
  reads: JSON.parse(r.reads) as MessageRead[],
  attachment: r.attachment === null ? null : (JSON.parse(r.attachment) as MessageAttachment),
});

const THREAD_COLS = 'id, unit_id, subject, client_id, assignment_id, to_unit, participants, author, created_at, pending';
const MESSAGE_COLS = 'id, thread_id, unit_id, text, author, created_at, reads, attachment, pending';
const T_COLS = THREAD_COLS.split(', ').map((c) => `t.${c}`).join(', ');

/** How much of the last message the thread list shows (one line). */
const PREVIEW_CHARS = 140;
/** A thread's summary for the user `@me`: counts by index probes per thread (a page of threads, not the whole store). */
const SUMMARY = `SELECT ${T_COLS}, coalesce(t.last_at, t.created_at) AS last_message_at,
    (SELECT count(*) FROM messages m WHERE m.thread_id = t.id) AS message_count,
    (SELECT count(*) FROM messages m WHERE m.thread_id = t.id AND m.author_staff_id <> @me
        AND NOT EXISTS (SELECT 1 FROM message_reads r WHERE r.message_id = m.id AND r.staff_id = @me)) AS unread,
    (SELECT count(*) FROM messages m WHERE m.thread_id = t.id AND m.pending = 1) AS pending_messages,
    (SELECT json_array(m.author ->> '$.name', substr(m.text, 1, ${PREVIEW_CHARS})) FROM messages m WHERE m.thread_id = t.id ORDER BY m.created_at DESC, m.id DESC LIMIT 1) AS last_message,
    (SELECT c.given_name || ' ' || c.family_name FROM clients c WHERE c.id = t.client_id) AS client_name
  FROM message_threads t`;
const toSummary = (r: SummaryRow): LocalThreadSummary => ({
  ...toThread(r),
  lastMessageAt: r.last_message_at,
  messageCount: r.message_count,
  unread: r.unread,
  pending: r.pending_messages + r.pending,
  lastMessage: r.last_message === null ? null : (([authorName, text]) => ({ authorName, text }))(JSON.parse(r.last_message) as [string, string]),
  clientName: r.client_name,
});

export class MessageThreadsSql implements KindPart<'message_thread'> {
  private readonly st;
  readonly mutations: LocalMutations<'message_thread'>;

  constructor(ctx: StoreContext) {
    const st = prepareAll(ctx.db, {
      upsert: `INSERT INTO message_threads (${THREAD_COLS})
        SELECT r ->> 0, r ->> 1, r ->> 2, r ->> 3, r ->> 4, r ->> 5, r ->> 6, r ->> 7, r ->> 8, 0 FROM (SELECT value AS r FROM json_each(?)) WHERE true
        ON CONFLICT (id) DO UPDATE SET unit_id = excluded.unit_id, subject = excluded.subject, client_id = excluded.client_id,
          assignment_id = excluded.assignment_id, to_unit = excluded.to_unit, participants = excluded.participants,
          author = excluded.author, created_at = excluded.created_at, pending = 0`,
      del: 'DELETE FROM message_threads WHERE id = ?',
      purge: 'DELETE FROM message_threads WHERE unit_id = ?',
      byId: `SELECT ${THREAD_COLS} FROM message_threads WHERE id = ?`,
      insertLocal: `INSERT INTO message_threads (${THREAD_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
      deletePending: 'DELETE FROM message_threads WHERE id = ? AND pending = 1',
    });
    this.st = st;
    this.mutations = {
      'message_thread.create': {
        apply: (m, author, createdAt) => {
          const r = m.record;
          if (!ctx.unitInScope(r.unitId)) throw new AppFailure('FORBIDDEN', 'unit not in the user\'s scope', because('UNIT_NOT_IN_SCOPE'));
          if (r.clientId !== null && ctx.unitOfClient(r.clientId) !== r.unitId) throw new AppFailure('VALIDATION', 'client not in the unit', because('CLIENT_NOT_IN_UNIT'));
          if (st.byId.get(r.id)) throw new AppFailure('CONFLICT', 'thread already exists');
          // The others' names come with the server's copy of the thread.
          const people = [{ staffId: author.staffId, name: author.name, title: author.title }, ...r.participantIds.filter((id) => id !== author.staffId).map((staffId) => ({ staffId, name: '', title: '' }))];
          st.insertLocal.run(r.id, r.unitId, r.subject, r.clientId, r.assignmentId, r.toUnit ? 1 : 0, JSON.stringify(people), JSON.stringify(author), utc(createdAt));
          return r.unitId;
        },
        undo: (id) => st.deletePending.run(id),
      },
    };
  }

  upsert(changes: UpsertOf<'message_thread'>[]): void {
    this.st.upsert.run(
      JSON.stringify(changes.map(({ record: r, unitId }) => [r.id, unitId, r.subject, r.clientId, r.assignmentId, r.toUnit ? 1 : 0, JSON.stringify(r.participants), JSON.stringify(r.author), utc(r.createdAt)])),
    );
  }

  delete(id: string): void {
    this.st.del.run(id);
  }

  purgeUnit(unitId: string): void {
    this.st.purge.run(unitId);
  }

  record(id: string): MessageThreadRecord | null {
    const r = this.st.byId.get(id) as ThreadRow | undefined;
    return r ? toThread(r) : null;
  }
}


export class MessagesSql implements KindPart<'message'> {
  /** Its methods that write local state that is no mutation (message drafts): LocalStore.write, never read. */
  readonly localWrites = ['saveDraft', 'deleteDraft'] as const;

  private readonly st;
  readonly mutations: LocalMutations<'message'>;

  constructor(private readonly ctx: StoreContext) {
    const st = prepareAll(ctx.db, {
      upsert: `INSERT INTO messages (${MESSAGE_COLS}, author_staff_id)
        SELECT r ->> 0, r ->> 1, r ->> 2, r ->> 3, r ->> 4, r ->> 5, r ->> 6, r ->> 8, 0, r ->> 7 FROM (SELECT value AS r FROM json_each(?)) WHERE true
        ON CONFLICT (id) DO UPDATE SET thread_id = excluded.thread_id, unit_id = excluded.unit_id, text = excluded.text, author = excluded.author,
          author_staff_id = excluded.author_staff_id, created_at = excluded.created_at, reads = excluded.reads, attachment = excluded.attachment, pending = 0`,
      // The server's receipts replace the stored ones; a receipt of the user's still queued stays.
      clearReads: `DELETE FROM message_reads WHERE pending = 0 AND message_id IN (SELECT value ->> 0 FROM json_each(?))`,
      insertReads: `INSERT INTO message_reads (message_id, staff_id, pending)
        SELECT m.value ->> 0, r.value ->> 'staffId', 0 FROM json_each(?) m, json_each(m.value ->> 6) r WHERE true
        ON CONFLICT (message_id, staff_id) DO UPDATE SET pending = 0`,
      del: 'DELETE FROM messages WHERE id = ?',
      delReads: 'DELETE FROM message_reads WHERE message_id = ?',
      purgeReads: 'DELETE FROM message_reads WHERE message_id IN (SELECT id FROM messages WHERE unit_id = ?)',
      purge: 'DELETE FROM messages WHERE unit_id = ?',
      purgeDrafts: 'DELETE FROM message_drafts WHERE unit_id = ?',
      byId: `SELECT ${MESSAGE_COLS} FROM messages WHERE id = ?`,
      unitOf: 'SELECT unit_id FROM messages WHERE id = ?',
      threadUnit: 'SELECT unit_id FROM message_threads WHERE id = ?',
      insertLocal: `INSERT INTO messages (${MESSAGE_COLS}, author_staff_id) VALUES (?, ?, ?, ?, ?, ?, '[]', NULL, 1, ?)`,
      deletePending: 'DELETE FROM messages WHERE id = ? AND pending = 1',
      readLocal: 'INSERT INTO message_reads (message_id, staff_id, pending) VALUES (?, ?, 1) ON CONFLICT DO NOTHING',
      unreadLocal: 'DELETE FROM message_reads WHERE message_id = ? AND pending = 1',
      list: `${SUMMARY} ORDER BY coalesce(t.last_at, t.created_at) DESC, t.id DESC LIMIT @limit`,
      listClient: `${SUMMARY} WHERE t.client_id = @id ORDER BY coalesce(t.last_at, t.created_at) DESC, t.id DESC LIMIT @limit`,
      listAssignment: `${SUMMARY} WHERE t.assignment_id = @id ORDER BY coalesce(t.last_at, t.created_at) DESC, t.id DESC LIMIT @limit`,
      search: `${SUMMARY} WHERE t.id IN (SELECT m.thread_id FROM messages_fts f JOIN messages m ON m.rowid = f.rowid WHERE messages_fts MATCH @match)
          OR t.subject LIKE @like ESCAPE '\\' ORDER BY coalesce(t.last_at, t.created_at) DESC, t.id DESC LIMIT @limit`,
      searchSubject: `${SUMMARY} WHERE t.subject LIKE @like ESCAPE '\\' ORDER BY coalesce(t.last_at, t.created_at) DESC, t.id DESC LIMIT @limit`,
      thread: `SELECT ${THREAD_COLS} FROM message_threads WHERE id = ?`,
      messages: `SELECT ${MESSAGE_COLS} FROM messages WHERE thread_id = ? ORDER BY created_at, id`,
      unreadIds: `SELECT m.id FROM messages m WHERE m.thread_id = @thread AND m.author_staff_id <> @me AND m.pending = 0
        AND NOT EXISTS (SELECT 1 FROM message_reads r WHERE r.message_id = m.id AND r.staff_id = @me) ORDER BY m.created_at, m.id`,
      // Two index-only counts, not a probe per message (100k messages: ~1.7 s through SQLCipher with
      // a cold cache, bench/messages.ts): the others' messages less the user's receipts (there are
      // none of one's own messages: the server gives none, and unreadIds asks for none).
      unreadTotal: `SELECT (SELECT count(*) FROM messages WHERE author_staff_id <> @me)
        - (SELECT count(*) FROM message_reads WHERE staff_id = @me) AS n`,
      saveDraft: `INSERT INTO message_drafts (key, unit_id, json, saved_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (key) DO UPDATE SET unit_id = excluded.unit_id, json = excluded.json, saved_at = excluded.saved_at`,
      draft: 'SELECT json FROM message_drafts WHERE key = ?',
      deleteDraft: 'DELETE FROM message_drafts WHERE key = ?',
    });
    this.st = st;
    const unitOfMessage = (id: string) => {
      const row = st.unitOf.get(id) as { unit_id: string } | undefined;
      if (!row || !ctx.unitInScope(row.unit_id)) throw new AppFailure('NOT_FOUND', 'message not found', because('MESSAGE_NOT_FOUND'));
      return row.unit_id;
    };
    this.mutations = {
      'message.send': {
        apply: (m, author, createdAt) => {
          const t = st.threadUnit.get(m.record.threadId) as { unit_id: string } | undefined;
          if (!t || !ctx.unitInScope(t.unit_id)) throw new AppFailure('NOT_FOUND', 'thread not found', because('THREAD_NOT_FOUND'));
          if (st.byId.get(m.record.id)) throw new AppFailure('CONFLICT', 'message already exists');
          st.insertLocal.run(m.record.id, m.record.threadId, t.unit_id, m.record.text, JSON.stringify(author), utc(createdAt), author.staffId);
          return t.unit_id;
        },
        undo: (id) => st.deletePending.run(id),
      },
      'message.mark_read': {
        apply: (m, author) => {
          const unitId = unitOfMessage(m.record.id);
          st.readLocal.run(m.record.id, author.staffId);
          return unitId;
        },
        undo: (id) => st.unreadLocal.run(id),
      },
    };
  }

  upsert(changes: UpsertOf<'message'>[]): void {
    const rows = JSON.stringify(
      changes.map(({ record: r, unitId }) => [r.id, r.threadId, unitId, r.text, JSON.stringify(r.author), utc(r.createdAt), JSON.stringify(r.reads), r.author.staffId, r.attachment ? JSON.stringify(r.attachment) : null]),
    );
    this.st.upsert.run(rows);
    this.st.clearReads.run(rows);
    this.st.insertReads.run(rows);
  }

  delete(id: string): void {
    this.st.delReads.run(id);
    this.st.del.run(id);
  }

  purgeUnit(unitId: string): void {
    this.st.purgeReads.run(unitId);
    this.st.purge.run(unitId);
    this.st.purgeDrafts.run(unitId);
  }

  record(id: string): MessageRecord | null {
    const r = this.st.byId.get(id) as MessageRow | undefined;
    return r ? toMessage(r) : null;
  }

  // ---- reads (LocalStore.read('message', …)) ----

  /** The user's threads, newest activity first; by client or assignment; or those whose subject or a message matches `query`. */
  threads(q: { me: string; query?: string; clientId?: string; assignmentId?: string; limit: number }): LocalThreadSummary[] {
    const p = { me: q.me, limit: q.limit };
    let rows: unknown[];
    if (q.query !== undefined) {
      const match = ftsQuery(q.query);
      const like = `%${likeEscape(q.query)}%`;
      rows = match === null ? this.st.searchSubject.all({ ...p, like }) : this.st.search.all({ ...p, match, like });
    } else if (q.assignmentId !== undefined) rows = this.st.listAssignment.all({ ...p, id: q.assignmentId });
    else if (q.clientId !== undefined) rows = this.st.listClient.all({ ...p, id: q.clientId });
    else rows = this.st.list.all(p);
    return (rows as SummaryRow[]).map(toSummary);
  }

  thread(q: { threadId: string }): LocalThreadDetail | null {
    const t = this.st.thread.get(q.threadId) as ThreadRow | undefined;
    if (!t || !this.ctx.unitInScope(t.unit_id)) return null;
    const messages = (this.st.messages.all(q.threadId) as MessageRow[]).map((r): LocalMessage => ({ ...toMessage(r), pending: r.pending !== 0 }));
    return { thread: { ...toThread(t), pending: t.pending !== 0 }, messages };
  }

  /** Messages of the thread by others, on the server, that `me` has not read (each a receipt to send). */
  unreadIds(q: { threadId: string; me: string }): string[] {
    return (this.st.unreadIds.all({ thread: q.threadId, me: q.me }) as { id: string }[]).map((r) => r.id);
  }

  unreadTotal(q: { me: string }): number {
    return (this.st.unreadTotal.get({ me: q.me }) as { n: number }).n;
  }

  saveDraft(d: MessageDraft): MessageDraft {
    if (!this.ctx.unitInScope(d.unitId)) throw new AppFailure('FORBIDDEN', 'unit not in the user\'s scope', because('UNIT_NOT_IN_SCOPE'));
    const saved = { ...d, savedAt: utc(d.savedAt) };
    this.st.saveDraft.run(d.key, d.unitId, JSON.stringify(saved), saved.savedAt);
    return saved;
  }

  draft(q: { key: string }): MessageDraft | null {
    const r = this.st.draft.get(q.key) as { json: string } | undefined;
    return r ? (JSON.parse(r.json) as MessageDraft) : null;
  }

  deleteDraft(q: { key: string }): boolean {
    return this.st.deleteDraft.run(q.key).changes > 0;
  }
}

export const messageThreadsStore = defineStoreKind({
  name: 'message_thread',
  schema: [
    {
      version: 7,
      name: 'message threads',
      sql: `
      CREATE TABLE message_threads (
        id TEXT PRIMARY KEY,
        unit_id TEXT NOT NULL,
        subject TEXT NOT NULL,
        client_id TEXT,
        assignment_id TEXT,
        to_unit INTEGER NOT NULL,
        participants TEXT NOT NULL,  -- JSON [{ staffId, name, title }]
        author TEXT NOT NULL,        -- JSON Author
        created_at TEXT NOT NULL,
        last_at TEXT,                -- the newest message's created_at (messages' triggers)
        pending INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX message_threads_order ON message_threads (coalesce(last_at, created_at) DESC, id DESC);
      CREATE INDEX message_threads_unit ON message_threads (unit_id);
      CREATE INDEX message_threads_client ON message_threads (client_id) WHERE client_id IS NOT NULL;
      CREATE INDEX message_threads_assignment ON message_threads (assignment_id) WHERE assignment_id IS NOT NULL;
      CREATE TABLE message_drafts (
        key TEXT PRIMARY KEY,
        unit_id TEXT NOT NULL,
        json TEXT NOT NULL,
        saved_at TEXT NOT NULL
      );`,
    },
  ],
  open: (ctx) => new MessageThreadsSql(ctx),
});

export const messagesStore = defineStoreKind({
  name: 'message',
  schema: [
    {
      version: 7,
      name: 'messages',
      sql: `
      CREATE TABLE messages (
        rowid INTEGER PRIMARY KEY,  -- stable rowid: the full-text index refers to it
        id TEXT NOT NULL UNIQUE,
        thread_id TEXT NOT NULL,
        unit_id TEXT NOT NULL,
        text TEXT NOT NULL,
        author TEXT NOT NULL,       -- JSON Author
        author_staff_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        reads TEXT NOT NULL,        -- JSON [{ staffId, name, readAt }] as the server sent it
        pending INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX messages_thread ON messages (thread_id, created_at, id);
      CREATE INDEX messages_unit ON messages (unit_id);
      CREATE INDEX messages_author ON messages (author_staff_id);
      -- Who has read which message, from the receipts (pending: the user's, not yet sent).
      CREATE TABLE message_reads (
        message_id TEXT NOT NULL,
        staff_id TEXT NOT NULL,
        pending INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (message_id, staff_id)
      ) WITHOUT ROWID;
      CREATE INDEX message_reads_staff ON message_reads (staff_id);
      CREATE TRIGGER messages_last_at AFTER INSERT ON messages BEGIN
        UPDATE message_threads SET last_at = new.created_at WHERE id = new.thread_id AND (last_at IS NULL OR last_at < new.created_at);
      END;
      CREATE TRIGGER message_threads_last_at AFTER INSERT ON message_threads BEGIN
        UPDATE message_threads SET last_at = (SELECT max(created_at) FROM messages WHERE thread_id = new.id) WHERE id = new.id;
      END;
      CREATE VIRTUAL TABLE messages_fts USING fts5 (text, content = 'messages', content_rowid = 'rowid', tokenize = 'unicode61 remove_diacritics 0');
      CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts (rowid, text) VALUES (new.rowid, new.text);
      END;
      CREATE TRIGGER messages_fts_ad AFTER DELETE ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
      END;
      CREATE TRIGGER messages_fts_au AFTER UPDATE OF text ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
        INSERT INTO messages_fts (rowid, text) VALUES (new.rowid, new.text);
      END;`,
    },
    {
      version: 8,
      name: 'message attachments',
      // The attachment's description (JSON MessageAttachment) as the server sent it; the PDF stays
      // on the server and is fetched when opened. No message before this version had one.
      sql: `ALTER TABLE messages ADD COLUMN attachment TEXT;`,
    },
  ],
  fillTables: ['messages'],
  open: (ctx) => new MessagesSql(ctx),
});
