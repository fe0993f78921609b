import type { MessagePort } from 'node:worker_threads';
import type {
  ClientRecord,
  Cursors,
  LocalDayNote,
  LocalJournalEntry,
  MutationType,
  Mutation,
  PermittedUnit,
  PullNext,
  PullResponse,
  RecordType,
  AppError,
  Author,
  AccessEventInput,
  JournalDraft,
  SavedDraft,
} from '#contract';
import type { Assignment } from '#contract';
import type { InboxPage, InboxQueryParsed } from '#contract';
import type { Retention } from './kind';
import type { KindReads } from './kinds';

/**
 * The workstation's encrypted local store (SQLCipher file per user and device), as the services
 * see it. Every method is async: SQL runs on a worker thread so the main process never stalls.
 * Records written here but not yet acknowledged by the server carry `pending: true`.
 */
/** What the sync loop needs of a pull page read by the store (the changes stay in the store). */
export type PulledPage = Pick<PullResponse, 'units' | 'cursors' | 'hasMore' | 'serverTime' | 'retentionDays'> & {
  pageId: number;
  /** The record types of its changes (for `data.changed`). */
  types: string[];
  count: number;
};

export interface LocalStore {
  // ---- sync ----
  cursors(): Promise<Cursors>;
  /** One transaction: apply upserts/deletes, save cursors, and purge every unit not in `units`. */
  applyPull(pull: Pick<PullResponse, 'units' | 'changes' | 'cursors'>): Promise<void>;
  /**
   * A pull page as the server sent it (the JSON bytes; over the worker the buffer is transferred,
   * not copied): parsed and validated against the contract's PullResponse off the main thread and
   * kept for applyPulledPage. A page that breaks the contract is a SERVER_ERROR and nothing is kept;
   * so is one whose cursors or hasMore differ from `expect` (the page's `x-sync-next` header).
   */
  readPullPage(bytes: Uint8Array, expect?: PullNext): Promise<PulledPage>;
  /**
   * A channel for page bytes straight to the store's thread: the pull worker (main/sync/pull-worker.ts)
   * posts `{ ticket, bytes }` (DeliveredPage) on the returned port. A new inbox replaces the last.
   */
  openPageInbox(): MessagePort;
  /** readPullPage of the page delivered to the inbox under `ticket`. */
  readFetchedPage(ticket: number, expect?: PullNext): Promise<PulledPage>;
  /** Applies a page read by readPullPage, as applyPull does (one transaction). */
  applyPulledPage(pageId: number): Promise<void>;
  /** Day notes created before `before` are deleted (retention), pending ones included. */
  purgeDayNotesBefore(before: Date): Promise<number>;
  /** Every kind's retention after a run, by the server's time and settings; the kinds that lost records. */
  applyRetention(page: Retention): Promise<RecordType[]>;
  /** One transaction: the local record (pending, stamped with the session's author) + the outbox entry. */
  enqueue(mutation: Mutation, author: Author): Promise<void>;
  /**
   * A journal entry and what goes with it, in one transaction (one fsync): the mutations in order
   * (a day_note.mark_summarised of a note gone meanwhile is skipped), and the draft deleted.
   */
  enqueueEntry(mutations: Mutation[], author: Author, draft: { clientId: string; correctsId: string | null } | null): Promise<void>;
  /** Outbox entries not yet acknowledged, oldest first. */
  outbox(limit: number): Promise<OutboxEntry[]>;
  outboxCount(): Promise<number>;
  /** Acknowledged by the server: out of the outbox; the local record stays until the pull replaces it. */
  acknowledge(mutationIds: string[]): Promise<void>;
  /** Refused for good by the server: the mutation leaves the outbox, its local record is removed, the reason is kept for the user. */
  refuse(mutationId: string, error: Pick<AppError, 'code' | 'message'>): Promise<void>;
  /** Refusals the user has not dismissed yet. */
  refusals(): Promise<Refusal[]>;
  dismissRefusal(mutationId: string): Promise<void>;
  /** Attempts and the last transient error, for backoff and the UI. */
  noteAttempt(mutationIds: string[], error: string | null): Promise<void>;
  /** Sent alone, answered with a server error: how often in a row with this error (outbox-sql.ts). */
  noteServerFailure(mutationId: string, error: string): Promise<number>;
  /** Not sent again before `until`; the queue goes on past it, later writes of its record wait (outbox-sql.ts). */
  park(mutationId: string, until: Date): Promise<void>;
  /** Every queued mutation of `kind` waits until `until` (the kind fails as a whole). */
  parkKind(kind: string, until: Date): Promise<void>;
  /** When the first parked mutation may go again (ISO), or null. */
  nextParked(): Promise<string | null>;
  /** A poison pill: kept (with its local record), not sent again while the server is `server`; a refusal notice tells the user. */
  setAside(mutationId: string, server: string, error: Pick<AppError, 'code' | 'message'>): Promise<void>;
  /** The servers (version#instance) something was set aside on. */
  setAsideServers(): Promise<string[]>;
  /** Sends again what was set aside on a server other than `server`; how many. */
  releaseSetAside(server: string): Promise<number>;

  // ---- reads ----
  units(): Promise<PermittedUnit[]>;
  clients(q: { unitId?: string; search?: string; limit: number; offset?: number }): Promise<ClientRecord[]>;
  client(id: string): Promise<ClientRecord | null>;
  /** Newest first (eventDate, then createdAt), keyset-paged. */
  journal(q: { clientId: string; limit: number; search?: string; before?: { eventDate: string; createdAt: string; id: string } }): Promise<LocalJournalEntry[]>;
  dayNotes(q: { unitId: string; clientId?: string; limit: number; before?: { createdAt: string; id: string } }): Promise<LocalDayNote[]>;
  /** Full-text search (FTS5) over day notes the user may see. */
  searchDayNotes(q: { query: string; unitId?: string; limit: number }): Promise<LocalDayNote[]>;

  /** One journal entry of a unit in scope, or null. */
  journalEntry(id: string): Promise<LocalJournalEntry | null>;

  // ---- drafts (docs/journal.md) ----
  /** Saves (replaces) the draft of a client's new entry or of a correction; refused FORBIDDEN for a client out of scope. */
  saveDraft(draft: JournalDraft, savedAt: string): Promise<SavedDraft>;
  draft(clientId: string, correctsId: string | null): Promise<SavedDraft | null>;
  deleteDraft(clientId: string, correctsId: string | null): Promise<boolean>;

  // ---- access events not yet on the server ----
  enqueueAccess(events: AccessEventInput[]): Promise<void>;
  accessOutbox(limit: number): Promise<{ seq: number; event: AccessEventInput }[]>;
  /** Recorded by the server (or refused for good): out of the queue. */
  ackAccess(seqs: number[]): Promise<void>;

  /**
   * A kind's own read (a public method of its part, e.g. `read('client', 'list', q)`), in the
   * worker: a new kind's reads need no method here (docs/adding-a-feature.md).
   */
  read<K extends keyof KindReads, M extends keyof KindReads[K]>(
    kind: K,
    method: M,
    ...args: KindReads[K][M] extends (...a: infer A) => unknown ? A : never
  ): Promise<KindReads[K][M] extends (...a: never[]) => infer R ? R : never>;

  /** The assignment inbox (main/store/assignments-sql.ts). */
  inboxList(q: InboxQueryParsed): Promise<InboxPage>;
  inboxAssignment(id: string): Promise<Assignment | null>;

  close(): Promise<void>;
}


export interface OutboxEntry {
  mutation: Mutation;
  type: MutationType;
  attempts: number;
  lastError: string | null;
  enqueuedAt: string;
}

export interface Refusal {
  mutationId: string;
  type: MutationType;
  code: AppError['code'];
  message: string;
  /** What the user wrote in it (kept so it can be copied), when the mutation carries text. */
  text: string | null;
  at: string;
}

/** The synchronous twin of LocalStore: what the worker runs. Every method of LocalStore but close. */
export type SyncLocalStore = {
  [K in Exclude<keyof LocalStore, 'close' | 'openPageInbox' | 'read'>]: LocalStore[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : never;
} & {
  /** LocalStore.read, untyped here: the worker passes the call on to the kind's part. */
  read(kind: RecordType, method: string, ...args: unknown[]): unknown;
};
