import Database from 'better-sqlite3-multiple-ciphers';
import {
  AppFailure,
  because,
  Mutation as MutationSchema,
  validationDetails,
  type AccessEventInput,
  type AppError,
  type Assignment,
  type Author,
  type ClientRecord,
  type Cursors,
  type InboxPage,
  type InboxQueryParsed,
  type JournalDraft,
  type LocalDayNote,
  type LocalJournalEntry,
  type Mutation,
  type PermittedUnit,
  type PullNext,
  type PullResponse,
  type RecordType,
  type SavedDraft,
} from '#contract';
import { swedishFold } from './clients-sql';
import { DraftsSql } from './drafts-sql';
import { GroupCommit } from './group-commit';
import { utc, type KindPart, type LocalMutation, type Retention, type StoreContext, type UpsertOf } from './kind';
import { STORE_KINDS, type KindParts } from './kinds';
import { OutboxSql } from './outbox-sql';
import type { PageInbox } from './page-inbox';
import { parsePullPage } from './pull-page-parse';
import type { OutboxEntry, PulledPage, Refusal, SyncLocalStore } from './types';

export { clientSortKey } from './clients-sql';

/** KindPart's generic methods: not callable through read(). */
const GENERIC_PART_METHODS = new Set(['upsert', 'delete', 'purgeUnit', 'record', 'retention', 'mutations', 'constructor']);

/**
 * The store's SQL, synchronous, over one better-sqlite3 connection. Runs in the store worker
 * (main/store/worker.ts); tests may use it directly. The synced kinds' SQL is in their parts
 * (kinds.ts); here are the connection, cursors and units, the pull pages (their group commit is
 * in group-commit.ts) and the loops over the kinds.
 */
export class SqlStore implements SyncLocalStore {
  private readonly st;
  /** The synced kinds' parts (kinds.ts), by name, for the reads; the generic code uses `parts`. */
  private readonly kinds: KindParts;
  private readonly parts: readonly KindPart<RecordType>[];
  private readonly localMutations: Map<string, LocalMutation<Mutation>>;
  private readonly outboxSql: OutboxSql;
  private readonly drafts: DraftsSql;
  private readonly group: GroupCommit;

  constructor(readonly db: Database.Database) {
    const p = (s: string) => db.prepare(s);
    this.st = {
      cursors: p('SELECT unit_id, seq FROM cursors'),
      isEmpty: p('SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM cursors) AND NOT EXISTS (SELECT 1 FROM outbox)'),
      unitIds: p('SELECT unit_id FROM units'),
      units: p('SELECT unit_id, name, valid_from, valid_to FROM units ORDER BY position'),
      deleteUnits: p('DELETE FROM units'),
      insertUnit: p('INSERT INTO units (unit_id, name, valid_from, valid_to, position) VALUES (?, ?, ?, ?, ?)'),
      upsertCursor: p('INSERT INTO cursors (unit_id, seq) VALUES (?, ?) ON CONFLICT (unit_id) DO UPDATE SET seq = excluded.seq'),
      purgeCursor: p('DELETE FROM cursors WHERE unit_id = ?'),
      unitInScope: p('SELECT 1 FROM units WHERE unit_id = ?'),
    };
    this.outboxSql = new OutboxSql(db);
    this.drafts = new DraftsSql(db);
    this.group = new GroupCommit(db, () => this.st.isEmpty.get() !== undefined);
    const ctx: StoreContext = {
      db,
      fold: swedishFold,
      unitInScope: (unitId) => this.st.unitInScope.get(unitId) !== undefined,
      unitOfClient: (clientId) => this.unitOfClient(clientId),
    };
    this.kinds = Object.fromEntries(STORE_KINDS.map((k) => [k.name, k.open(ctx)])) as unknown as KindParts;
    this.parts = Object.values(this.kinds) as KindPart<RecordType>[];
    this.localMutations = new Map(this.parts.flatMap((part) => Object.entries(part.mutations as Record<string, LocalMutation<Mutation>>)));
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
    const page = parsePullPage(bytes, expect);
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
      retentionDays: page.retentionDays,
      types: [...new Set(page.changes.map((c) => c.type))],
      count: page.changes.length,
    };
  }

  /** Applies a page read by readPullPage, in the run's group commit (group-commit.ts). */
  applyPulledPage(pageId: number): void {
    const page = this.pulled.get(pageId);
    if (!page) throw new AppFailure('INTERNAL', 'The pull page to apply is not in the store (read it first)');
    this.pulled.delete(pageId);
    this.group.apply(page.changes.length, page.hasMore, () => this.applyPullBody(page));
  }

  /** Commits the pull pages applied since the last commit (GroupCommit.settle); the worker calls it before every other method. */
  settle(): void {
    this.group.settle();
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
    const upserts = new Map<RecordType, UpsertOf<RecordType>[]>();
    for (const c of pull.changes) {
      if (!scope.has(c.unitId)) continue;
      // A record comes at most once per page (the feed holds its latest change), so gathering the
      // upserts of a kind into one call (one statement, for the kinds with many rows) keeps the page's meaning.
      if (c.op === 'upsert') {
        const list = upserts.get(c.type);
        if (list) list.push(c);
        else upserts.set(c.type, [c]);
      } else this.part(c.type).delete(c.id);
    }
    for (const [type, list] of upserts) this.part(type).upsert(list);
    for (const [unitId, seq] of Object.entries(pull.cursors)) if (scope.has(unitId)) st.upsertCursor.run(unitId, seq);
  }

  private part(type: RecordType): KindPart<RecordType> {
    return this.kinds[type] as unknown as KindPart<RecordType>;
  }

  /** The unit left the scope: its queued mutations become refusals, and every kind's rows of it go. */
  private purgeUnit(unitId: string): void {
    this.outboxSql.refuseUnit(unitId);
    for (const draft of this.drafts.ofUnit(unitId)) if (draft.text.trim() !== '') this.outboxSql.keepDraft(draft);
    for (const part of this.parts) part.purgeUnit(unitId);
    this.drafts.purgeUnit(unitId);
    this.st.purgeCursor.run(unitId);
  }

  read(kind: RecordType, method: string, ...args: unknown[]): unknown {
    const part = this.kinds[kind] as unknown as Record<string, unknown> & { localWrites?: readonly string[] };
    const fn = part[method];
    // Only a kind's own public reads: not the generic writes every part has (KindPart), nor its local writes.
    if (typeof fn !== 'function' || GENERIC_PART_METHODS.has(method) || part.localWrites?.includes(method)) throw new AppFailure('INTERNAL', `No read ${kind}.${method}`);
    return (fn as (...a: unknown[]) => unknown).apply(part, args);
  }

  write(kind: RecordType, method: string, ...args: unknown[]): unknown {
    const part = this.kinds[kind] as unknown as Record<string, unknown> & { localWrites?: readonly string[] };
    const fn = part[method];
    if (typeof fn !== 'function' || !part.localWrites?.includes(method)) throw new AppFailure('INTERNAL', `No local write ${kind}.${method}`);
    return (fn as (...a: unknown[]) => unknown).apply(part, args);
  }

  /** A kind's stored record as the contract has it, in scope or not (kind.ts, KindPart.record). Not in LocalStore: for checks. */
  record(type: RecordType, id: string): unknown {
    return this.part(type).record(id);
  }

  applyRetention(page: Retention): RecordType[] {
    const purged: RecordType[] = [];
    for (const [type, part] of Object.entries(this.kinds) as [RecordType, KindPart<RecordType>][]) {
      if (part.retention && part.retention(page) > 0) purged.push(type);
    }
    return purged;
  }

  purgeDayNotesBefore(before: Date): number {
    return this.kinds.day_note.purgeBefore(before);
  }

  enqueue(mutation: Mutation, author: Author): void {
    const parsed = MutationSchema.safeParse(mutation);
    if (!parsed.success) throw new AppFailure('VALIDATION', 'invalid mutation', validationDetails(parsed.error));
    const m = parsed.data;
    const createdAt = utc(m.createdAt);
    this.db
      .transaction(() => {
        if (this.outboxSql.has(m.mutationId)) return; // the same mutation again: already queued
        const local = this.localMutations.get(m.type);
        if (!local) throw new AppFailure('INTERNAL', `No local handler for ${m.type}`);
        const unitId = local.apply(m, author, createdAt);
        this.outboxSql.add(m, unitId);
      })
      .immediate();
  }

  private unitOfClient(clientId: string): string {
    const unitId = this.kinds.client.unitOf(clientId);
    if (unitId === undefined) throw new AppFailure('FORBIDDEN', 'client not in the user\'s units', because('CLIENT_NOT_PERMITTED'));
    return unitId;
  }

  outbox(limit: number): OutboxEntry[] {
    return this.outboxSql.list(limit);
  }

  outboxCount(): number {
    return this.outboxSql.count();
  }

  acknowledge(mutationIds: string[]): void {
    this.db.transaction(() => {
      for (const id of mutationIds) this.outboxSql.delete(id);
    })();
  }

  refuse(mutationId: string, error: Pick<AppError, 'code' | 'message'>): void {
    this.db
      .transaction(() => {
        const refused = this.outboxSql.refuse(mutationId, error);
        // The local record goes; the mutation (with its text) stays in refusals, so nothing is lost silently.
        if (refused) this.localMutations.get(refused.type)?.undo(refused.recordId);
      })
      .immediate();
  }

  refusals(): Refusal[] {
    return this.outboxSql.refusals();
  }

  dismissRefusal(mutationId: string): void {
    this.outboxSql.dismissRefusal(mutationId);
  }

  noteAttempt(mutationIds: string[], error: string | null): void {
    this.db.transaction(() => {
      for (const id of mutationIds) this.outboxSql.noteAttempt(id, error);
    })();
  }

  noteServerFailure(mutationId: string, error: string): number {
    return this.outboxSql.noteServerFailure(mutationId, error);
  }

  park(mutationId: string, until: Date): void {
    this.outboxSql.park(mutationId, until);
  }

  parkKind(kind: string, until: Date): void {
    this.outboxSql.parkKind(kind, until);
  }

  nextParked(): string | null {
    return this.outboxSql.nextParked();
  }

  setAside(mutationId: string, server: string, error: Pick<AppError, 'code' | 'message'>): void {
    this.outboxSql.setAside(mutationId, server, error);
  }

  setAsideServers(): string[] {
    return this.outboxSql.setAsideServers();
  }

  releaseSetAside(server: string): number {
    return this.db.transaction(() => this.outboxSql.releaseSetAside(server)).immediate();
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
    return this.kinds.client.list(q);
  }

  client(id: string): ClientRecord | null {
    return this.kinds.client.get(id);
  }

  journal(q: { clientId: string; limit: number; search?: string; before?: { eventDate: string; createdAt: string; id: string } }): LocalJournalEntry[] {
    return this.kinds.journal_entry.list(q);
  }

  dayNotes(q: { unitId: string; clientId?: string; limit: number; before?: { createdAt: string; id: string } }): LocalDayNote[] {
    return this.kinds.day_note.list(q);
  }

  searchDayNotes(q: { query: string; unitId?: string; limit: number }): LocalDayNote[] {
    return this.kinds.day_note.search(q);
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
        if (draft) this.drafts.delete(draft.clientId, draft.correctsId);
      })
      .immediate();
  }

  journalEntry(id: string): LocalJournalEntry | null {
    return this.kinds.journal_entry.get(id);
  }

  // ---- drafts ----

  saveDraft(draft: JournalDraft, savedAt: string): SavedDraft {
    return this.drafts.save(draft, this.unitOfClient(draft.clientId), savedAt);
  }

  draft(clientId: string, correctsId: string | null): SavedDraft | null {
    return this.drafts.get(clientId, correctsId);
  }

  deleteDraft(clientId: string, correctsId: string | null): boolean {
    return this.drafts.delete(clientId, correctsId);
  }

  // ---- access events ----

  enqueueAccess(events: AccessEventInput[]): void {
    this.db.transaction(() => {
      for (const e of events) this.outboxSql.enqueueAccess(e);
    })();
  }

  accessOutbox(limit: number): { seq: number; event: AccessEventInput }[] {
    return this.outboxSql.accessOutbox(limit);
  }

  ackAccess(seqs: number[]): void {
    this.db.transaction(() => {
      for (const s of seqs) this.outboxSql.ackAccess(s);
    })();
  }

  /** The assignment inbox: filters, sorting, paging, counts per status, the needs-action count. */
  inboxList(q: InboxQueryParsed): InboxPage {
    return this.kinds.assignment.list(q);
  }

  /** One assignment of the user's units, with its history, as last pulled; null when not here. */
  inboxAssignment(id: string): Assignment | null {
    return this.kinds.assignment.get(id);
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
