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
import type { KindReads, KindWrites } from './kinds';

/** What the sync loop needs of a pull page read by the store (the changes stay in the store). */
export type PulledPage = Pick<PullResponse, 'units' | 'cursors' | 'hasMore' | 'serverTime' | 'retentionDays'> & {
  pageId: number;
  /** The record types of its changes (for `data.changed`). */
  types: string[];
  count: number;
};

/** Marks an operation's signature (as SqlStore runs it, synchronously, in the worker); nothing at run time. */
const op = <F extends (...args: never[]) => unknown>(): Operation<F> => ({}) as Operation<F>;
interface Operation<F> {
  readonly signature?: F;
}

/**
 * The store's operations, declared once (docs/store.md): SqlStore implements them (in the worker),
 * LocalStore is their async form on the main thread, and the worker client (worker-client.ts)
 * forwards each by its name here. A kind's own reads are not operations: they go through
 * LocalStore.read (its part's public methods), so a new kind adds nothing here.
 */
export const STORE_OPERATIONS = {
  // ---- sync ----
  cursors: op<() => Cursors>(),
  /** One transaction: apply upserts/deletes, save cursors, and purge every unit not in `units`. */
  applyPull: op<(pull: Pick<PullResponse, 'units' | 'changes' | 'cursors'>) => void>(),
  /**
   * A pull page as the server sent it (the JSON bytes; over the worker the buffer is transferred,
   * not copied): parsed and validated against the contract's PullResponse off the main thread and
   * kept for applyPulledPage. A page that breaks the contract is a SERVER_ERROR and nothing is kept;
   * so is one whose cursors or hasMore differ from `expect` (the page's `x-sync-next` header).
   */
  readPullPage: op<(bytes: Uint8Array, expect?: PullNext) => PulledPage>(),
  /** readPullPage of the page delivered to the inbox under `ticket`. */
  readFetchedPage: op<(ticket: number, expect?: PullNext) => PulledPage>(),
  /** Applies a page read by readPullPage, as applyPull does (one transaction). */
  applyPulledPage: op<(pageId: number) => void>(),
  /** Day notes created before `before` are deleted (retention), pending ones included. */
  purgeDayNotesBefore: op<(before: Date) => number>(),
  /** Every kind's retention after a run, by the server's time and settings; the kinds that lost records. */
  applyRetention: op<(page: Retention) => RecordType[]>(),
  /** One transaction: the local record (pending, stamped with the session's author) + the outbox entry. */
  enqueue: op<(mutation: Mutation, author: Author) => void>(),
  /**
   * A journal entry and what goes with it, in one transaction (one fsync): the mutations in order
   * (a day_note.mark_summarised of a note gone meanwhile is skipped), and the draft deleted.
   */
  enqueueEntry: op<(mutations: Mutation[], author: Author, draft: { clientId: string; correctsId: string | null } | null) => void>(),
  /** Outbox entries not yet acknowledged, oldest first. */
  outbox: op<(limit: number) => OutboxEntry[]>(),
  outboxCount: op<() => number>(),
  /** Acknowledged by the server: out of the outbox; the local record stays until the pull replaces it. */
  acknowledge: op<(mutationIds: string[]) => void>(),
  /** Refused for good by the server: the mutation leaves the outbox, its local record is removed, the reason is kept for the user. */
  refuse: op<(mutationId: string, error: Pick<AppError, 'code' | 'message'>) => void>(),
  /** Refusals the user has not dismissed yet. */
  refusals: op<() => Refusal[]>(),
  dismissRefusal: op<(mutationId: string) => void>(),
  /** Attempts and the last transient error, for backoff and the UI. */
  noteAttempt: op<(mutationIds: string[], error: string | null) => void>(),
  /** Sent alone, answered with a server error: how often in a row with this error (outbox-sql.ts). */
  noteServerFailure: op<(mutationId: string, error: string) => number>(),
  /** Not sent again before `until`; the queue goes on past it, later writes of its record wait (outbox-sql.ts). */
  park: op<(mutationId: string, until: Date) => void>(),
  /** Every queued mutation of `kind` waits until `until` (the kind fails as a whole). */
  parkKind: op<(kind: string, until: Date) => void>(),
  /** When the first parked mutation may go again (ISO), or null. */
  nextParked: op<() => string | null>(),
  /** A poison pill: kept (with its local record), not sent again while the server is `server`; a refusal notice tells the user. */
  setAside: op<(mutationId: string, server: string, error: Pick<AppError, 'code' | 'message'>) => void>(),
  /** The servers (version#instance) something was set aside on. */
  setAsideServers: op<() => string[]>(),
  /** Sends again what was set aside on a server other than `server`; how many. */
  releaseSetAside: op<(server: string) => number>(),

  // ---- reads ----
  units: op<() => PermittedUnit[]>(),
  clients: op<(q: { unitId?: string; search?: string; limit: number; offset?: number }) => ClientRecord[]>(),
  client: op<(id: string) => ClientRecord | null>(),
  /** Newest first (eventDate, then createdAt), keyset-paged. */
  journal: op<(q: { clientId: string; limit: number; search?: string; before?: { eventDate: string; createdAt: string; id: string } }) => LocalJournalEntry[]>(),
  dayNotes: op<(q: { unitId: string; clientId?: string; limit: number; before?: { createdAt: string; id: string } }) => LocalDayNote[]>(),
  /** Full-text search (FTS5) over day notes the user may see. */
  searchDayNotes: op<(q: { query: string; unitId?: string; limit: number }) => LocalDayNote[]>(),

  /** One journal entry of a unit in scope, or null. */
  journalEntry: op<(id: string) => LocalJournalEntry | null>(),

  // ---- drafts (docs/journal.md) ----
  /** Saves (replaces) the draft of a client's new entry or of a correction; refused FORBIDDEN for a client out of scope. */
  saveDraft: op<(draft: JournalDraft, savedAt: string) => SavedDraft>(),
  draft: op<(clientId: string, correctsId: string | null) => SavedDraft | null>(),
  deleteDraft: op<(clientId: string, correctsId: string | null) => boolean>(),

  // ---- access events not yet on the server ----
  enqueueAccess: op<(events: AccessEventInput[]) => void>(),
  accessOutbox: op<(limit: number) => { seq: number; event: AccessEventInput }[]>(),
  /** Recorded by the server (or refused for good): out of the queue. */
  ackAccess: op<(seqs: number[]) => void>(),


  /** The assignment inbox (main/store/assignments-sql.ts). */
  inboxList: op<(q: InboxQueryParsed) => InboxPage>(),
  inboxAssignment: op<(id: string) => Assignment | null>(),

};

type Operations = typeof STORE_OPERATIONS;
/** The operations as SqlStore runs them. */
export type StoreOperations = { [K in keyof Operations]: Operations[K] extends Operation<infer F> ? F : never };
export type StoreOperation = keyof Operations;
type Async<F> = F extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never;

/**
 * The workstation's encrypted local store (SQLCipher file per user and device), as the services
 * see it. Every method is async: SQL runs on a worker thread so the main process never stalls.
 * Records written here but not yet acknowledged by the server carry `pending: true`.
 */
export type LocalStore = { [K in StoreOperation]: Async<StoreOperations[K]> } & {
  /**
   * A channel for page bytes straight to the store's thread: the pull worker (main/sync/pull-worker.ts)
   * posts `{ ticket, bytes }` (DeliveredPage) on the returned port. A new inbox replaces the last.
   */
  openPageInbox(): MessagePort;
  /**
   * A kind's own read (a public method of its part, e.g. `read('client', 'list', q)`), in the
   * worker: a new kind's reads need no method here (docs/adding-a-feature.md).
   */
  read<K extends keyof KindReads, M extends keyof KindReads[K]>(
    kind: K,
    method: M,
    ...args: KindReads[K][M] extends (...a: infer A) => unknown ? A : never
  ): Promise<KindReads[K][M] extends (...a: never[]) => infer R ? R : never>;

  /**
   * A kind's own write of local state that is no mutation (a method its part names in
   * `localWrites`: `write('plan', 'saveWork', work, savedAt)`), in the worker; read() refuses these.
   */
  write<K extends keyof KindWrites, M extends keyof KindWrites[K]>(
    kind: K,
    method: M,
    ...args: KindWrites[K][M] extends (...a: infer A) => unknown ? A : never
  ): Promise<KindWrites[K][M] extends (...a: never[]) => infer R ? R : never>;

  close(): Promise<void>;
};


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

/** What the worker runs: every operation, and LocalStore.read untyped (the worker passes the call on to the kind's part). */
export type SyncLocalStore = StoreOperations & {
  read(kind: RecordType, method: string, ...args: unknown[]): unknown;
  write(kind: RecordType, method: string, ...args: unknown[]): unknown;
};
