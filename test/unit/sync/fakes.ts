import type { Author, Change, ClientRecord, Cursors, Mutation, MutationResult, PermittedUnit, PullResponse } from '../../../contract';
import type { Assignment } from '../../../contract/assignments';
import type { InboxPage } from '../../../contract/inbox';
import type { LocalDayNote, LocalJournalEntry, LocalStore, OutboxEntry, Refusal } from '../../../main/store/types';

/** A LocalStore in memory, with the interface's semantics, for unit tests of the sync engine. */
export class MemoryStore implements LocalStore {
  cursorMap: Cursors = {};
  unitList: PermittedUnit[] = [];
  clientMap = new Map<string, ClientRecord>();
  journalMap = new Map<string, LocalJournalEntry>();
  noteMap = new Map<string, LocalDayNote>();
  assignmentMap = new Map<string, Assignment>();
  box: OutboxEntry[] = [];
  refused: Refusal[] = [];
  closed = false;
  failNext: Error | null = null;

  private check() {
    if (this.closed) throw new Error('closed');
    if (this.failNext) {
      const e = this.failNext;
      this.failNext = null;
      throw e;
    }
  }
  async cursors() {
    this.check();
    return { ...this.cursorMap };
  }
  async applyPull(p: Pick<PullResponse, 'units' | 'changes' | 'cursors'>) {
    this.check();
    for (const c of p.changes) {
      if (c.op === 'delete') {
        this.clientMap.delete(c.id);
        this.journalMap.delete(c.id);
        this.noteMap.delete(c.id);
        this.assignmentMap.delete(c.id);
      } else if (c.type === 'assignment') this.assignmentMap.set(c.id, { ...c.record, unitId: c.unitId });
      else if (c.type === 'client') this.clientMap.set(c.id, c.record);
      else if (c.type === 'journal_entry') this.journalMap.set(c.id, { ...c.record, pending: false });
      else this.noteMap.set(c.id, { ...c.record, pending: false });
    }
    const keep = new Set(p.units.map((u) => u.unitId));
    for (const m of [this.clientMap, this.journalMap, this.noteMap, this.assignmentMap] as Map<string, { unitId: string }>[]) {
      for (const [id, r] of m) if (!keep.has(r.unitId)) m.delete(id);
    }
    this.cursorMap = Object.fromEntries(Object.entries({ ...this.cursorMap, ...p.cursors }).filter(([u]) => keep.has(u)));
    this.unitList = p.units;
  }
  async purgeDayNotesBefore(before: Date) {
    this.check();
    let n = 0;
    for (const [id, r] of this.noteMap) {
      if (Date.parse(r.createdAt) < before.getTime()) {
        this.noteMap.delete(id);
        n++;
      }
    }
    return n;
  }
  async enqueue(mutation: Mutation, author: Author) {
    this.check();
    this.box.push({ mutation, type: mutation.type, attempts: 0, lastError: null, enqueuedAt: new Date().toISOString() });
    if (mutation.type === 'journal_entry.create') {
      const unitId = this.clientMap.get(mutation.record.clientId)?.unitId ?? '';
      this.journalMap.set(mutation.record.id, { ...mutation.record, unitId, author, createdAt: mutation.createdAt, erroneous: null, pending: true });
    } else if (mutation.type === 'day_note.create') {
      this.noteMap.set(mutation.record.id, { ...mutation.record, author, createdAt: mutation.createdAt, summarisedAt: null, pending: true });
    }
  }
  async outbox(limit: number) {
    this.check();
    return this.box.slice(0, limit);
  }
  async outboxCount() {
    this.check();
    return this.box.length;
  }
  async acknowledge(ids: string[]) {
    this.check();
    const s = new Set(ids);
    this.box = this.box.filter((e) => !s.has(e.mutation.mutationId));
  }
  async refuse(id: string, error: { code: Refusal['code']; message: string }) {
    this.check();
    const e = this.box.find((x) => x.mutation.mutationId === id);
    this.box = this.box.filter((x) => x !== e);
    if (e && 'record' in e.mutation) {
      this.journalMap.delete(e.mutation.record.id);
      this.noteMap.delete(e.mutation.record.id);
    }
    if (e) this.refused.push({ mutationId: id, type: e.type, code: error.code, message: error.message, at: new Date().toISOString() });
  }
  async refusals() {
    this.check();
    return [...this.refused];
  }
  async dismissRefusal(id: string) {
    this.refused = this.refused.filter((r) => r.mutationId !== id);
  }
  async noteAttempt(ids: string[], error: string | null) {
    for (const e of this.box) {
      if (!ids.includes(e.mutation.mutationId)) continue;
      e.attempts++;
      e.lastError = error;
    }
  }
  async units() {
    return this.unitList;
  }
  async clients() {
    return [...this.clientMap.values()];
  }
  async client(id: string) {
    return this.clientMap.get(id) ?? null;
  }
  async journal(q: { clientId: string }) {
    return [...this.journalMap.values()].filter((j) => j.clientId === q.clientId);
  }
  async dayNotes(q: { unitId: string }) {
    return [...this.noteMap.values()].filter((n) => n.unitId === q.unitId);
  }
  async searchDayNotes() {
    return [];
  }
  async inboxList(): Promise<InboxPage> {
    throw new Error('MemoryStore: the inbox is tested on the real store');
  }
  async inboxAssignment(id: string) {
    return this.assignmentMap.get(id) ?? null;
  }
  // Journal drafts and access events (issue 6): not used by the engine's tests.
  drafts = new Map<string, import('../../../contract').SavedDraft>();
  access: { seq: number; event: import('../../../contract').AccessEventInput }[] = [];
  async enqueueEntry(mutations: Mutation[], author: Author) {
    for (const m of mutations) await this.enqueue(m, author);
  }
  async journalEntry(id: string) {
    return this.journalMap.get(id) ?? null;
  }
  async saveDraft(draft: import('../../../contract').JournalDraft, savedAt: string) {
    const saved = { ...draft, savedAt };
    this.drafts.set(`${draft.clientId}|${draft.correctsId ?? ''}`, saved);
    return saved;
  }
  async draft(clientId: string, correctsId: string | null) {
    return this.drafts.get(`${clientId}|${correctsId ?? ''}`) ?? null;
  }
  async deleteDraft(clientId: string, correctsId: string | null) {
    return this.drafts.delete(`${clientId}|${correctsId ?? ''}`);
  }
  async enqueueAccess(events: import('../../../contract').AccessEventInput[]) {
    for (const event of events) this.access.push({ seq: this.access.length + 1, event });
  }
  async accessOutbox(limit: number) {
    return this.access.slice(0, limit);
  }
  async ackAccess(seqs: number[]) {
    this.access = this.access.filter((a) => !seqs.includes(a.seq));
  }
  async close() {
    this.closed = true;
  }
}

export const author: Author = { staffId: '00000000-0000-4000-8000-000000000001', hsaId: 'SE2321000131-P000000000103', name: 'Sara Nyström', title: 'Undersköterska' };

type NewChange = Change extends infer C ? (C extends Change ? Omit<C, 'seq'> : never) : never;

/**
 * The sync API in memory behind a fake fetch: idempotent push by mutation id, a change feed with
 * per-unit cursors, a scope (units) that tests can change, and switches for faults.
 */
export class FakeSyncServer {
  units: PermittedUnit[];
  changes: Change[] = [];
  seq = 0;
  applied = new Map<string, MutationResult>();
  /** Record id → how many times it was written (must stay 1). */
  writes = new Map<string, number>();
  down = false;
  /** Apply, then answer as if the connection dropped (the ack is lost). */
  dropAfterApply = 0;
  refuse: (m: Mutation) => string | null = () => null;
  pushSizes: number[] = [];
  pulls = 0;
  serverTime = new Date();
  retentionDays = 90;

  constructor(unitIds: string[]) {
    this.units = unitIds.map((unitId) => ({ unitId, name: `Enhet ${unitId.slice(0, 4)}`, validFrom: '2024-01-01', validTo: null }));
  }

  add(c: NewChange): void {
    this.changes.push({ ...c, seq: ++this.seq } as Change);
  }

  fetch: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    if (this.down) throw new TypeError('fetch failed');
    const body = JSON.parse(String(init?.body ?? '{}'));
    const json = (status: number, b: unknown) => new Response(JSON.stringify(b), { status, headers: { 'content-type': 'application/json' } });
    if (url.pathname === '/api/v1/sync/push') {
      this.pushSizes.push(body.mutations.length);
      const results: MutationResult[] = [];
      for (const m of body.mutations as Mutation[]) {
        let r = this.applied.get(m.mutationId);
        if (!r) {
          const why = this.refuse(m);
          if (why) r = { mutationId: m.mutationId, status: 'refused', error: { code: 'FORBIDDEN', message: why } };
          else {
            const rec = m.record as { id: string };
            this.writes.set(rec.id, (this.writes.get(rec.id) ?? 0) + 1);
            r = { mutationId: m.mutationId, status: 'applied', seq: this.seq + 1 };
            if (m.type === 'day_note.create') {
              this.add({ op: 'upsert', type: 'day_note', id: m.record.id, unitId: m.record.unitId, record: { ...m.record, author, createdAt: new Date().toISOString(), summarisedAt: null } });
            }
          }
          this.applied.set(m.mutationId, r);
        }
        results.push(r);
      }
      if (this.dropAfterApply > 0) {
        this.dropAfterApply--;
        throw new TypeError('socket hang up');
      }
      return json(200, { results });
    }
    if (url.pathname === '/api/v1/sync/pull') {
      this.pulls++;
      const limit: number = body.limit ?? 1000;
      const scope = new Set(this.units.map((u) => u.unitId));
      const cursors: Cursors = {};
      for (const u of scope) cursors[u] = body.cursors[u] ?? 0;
      const out = this.changes.filter((c) => scope.has(c.unitId) && c.seq > (cursors[c.unitId] ?? 0)).slice(0, limit);
      for (const c of out) cursors[c.unitId] = c.seq;
      const hasMore = this.changes.filter((c) => scope.has(c.unitId) && c.seq > (cursors[c.unitId] ?? 0)).length > 0;
      return json(200, { units: this.units, changes: out, cursors, hasMore, serverTime: this.serverTime.toISOString(), dayNoteRetentionDays: this.retentionDays });
    }
    return json(404, { error: { code: 'NOT_FOUND', message: 'no' } });
  };
}
