import type { ErrorCode } from '../../contract/result';
import type { Mutation } from '../../contract/sync';
import { swedishDate } from '../auth/staff';

/**
 * The rules of a push (docs/sync.md, the table of refusals), in one place and without I/O: each
 * mutation is decided over the state the batch loaded (server/sync/push-state.ts), in order, and
 * the state then takes in what the decision wrote, so a mutation sees the ones before it in the
 * batch (an entry created earlier can be corrected or marked erroneous later; an id used twice
 * conflicts). A decision is a refusal, final, or a write that push-writes.ts executes.
 */

export const MESSAGES = {
  clientForbidden: 'Du har inte behörighet till brukaren. Behörigheten kan ha upphört.',
  unitForbidden: 'Du har inte behörighet till enheten. Behörigheten kan ha upphört.',
  entryForbidden: 'Du har inte behörighet till journalanteckningen. Behörigheten kan ha upphört.',
  duplicateId: 'Det finns redan en annan post med samma id.',
  correctsMissing: 'Anteckningen som ska rättas finns inte hos samma brukare.',
  assignmentMissing: 'Uppdraget som anteckningen gäller finns inte hos samma brukare.',
  entryMissing: 'Journalanteckningen finns inte.',
  alreadyErroneous: 'Journalanteckningen är redan felmarkerad.',
  futureDate: 'Händelsedatumet ligger i framtiden.',
  clientNotInUnit: 'Brukaren hör inte till den valda enheten.',
  mutationIdTaken: 'Ändringens id används redan av en annan användare.',
  noteMissing: 'Daganteckningen finns inte längre (den kan ha gallrats).',
} as const;

export type JournalCreate = Extract<Mutation, { type: 'journal_entry.create' }>;
export type MarkErroneous = Extract<Mutation, { type: 'journal_entry.mark_erroneous' }>;
export type DayNoteCreate = Extract<Mutation, { type: 'day_note.create' }>;
export type MarkSummarised = Extract<Mutation, { type: 'day_note.mark_summarised' }>;

export interface EntryState {
  clientId: string;
  unitId: string;
  marked: boolean;
}
export interface NoteState {
  clientId: string | null;
  unitId: string;
  summarised: boolean;
}

/** What the rules know of the database for one batch (and, as the batch is decided, of its own writes). */
export interface BatchState {
  /** The clients the batch refers to: id → unit. Absent: no such client. */
  clients: Map<string, string>;
  /** Ids taken in journal_entries or day_notes, of those the batch creates. */
  taken: Set<string>;
  /** The journal entries the batch corrects or marks. */
  entries: Map<string, EntryState>;
  /** The day notes the batch marks summarised. */
  notes: Map<string, NoteState>;
  /** The assignments the batch's entries name: id → client. Absent: no such assignment. */
  assignments?: Map<string, string>;
}

/** The ids a batch's state is loaded for. */
export interface StateKeys {
  clientIds: string[];
  createdIds: string[];
  correctsIds: string[];
  markedEntryIds: string[];
  summarisedNoteIds: string[];
  assignmentIds: string[];
}

export function stateKeys(mutations: readonly Mutation[]): StateKeys {
  const keys = { clientIds: new Set<string>(), createdIds: new Set<string>(), correctsIds: new Set<string>(), markedEntryIds: new Set<string>(), summarisedNoteIds: new Set<string>(), assignmentIds: new Set<string>() };
  for (const m of mutations) {
    switch (m.type) {
      case 'journal_entry.create':
        keys.clientIds.add(m.record.clientId);
        keys.createdIds.add(m.record.id);
        if (m.record.correctsId !== null) keys.correctsIds.add(m.record.correctsId);
        if (m.record.assignmentId !== null) keys.assignmentIds.add(m.record.assignmentId);
        break;
      case 'day_note.create':
        if (m.record.clientId !== null) keys.clientIds.add(m.record.clientId);
        keys.createdIds.add(m.record.id);
        break;
      case 'journal_entry.mark_erroneous':
        keys.markedEntryIds.add(m.record.id);
        break;
      case 'day_note.mark_summarised':
        keys.summarisedNoteIds.add(m.record.id);
        break;
    }
  }
  return {
    clientIds: [...keys.clientIds],
    createdIds: [...keys.createdIds],
    correctsIds: [...keys.correctsIds],
    markedEntryIds: [...keys.markedEntryIds],
    summarisedNoteIds: [...keys.summarisedNoteIds],
    assignmentIds: [...keys.assignmentIds],
  };
}

/** A write, in batch order; consecutive writes of one kind become one statement. */
export type Write =
  | { kind: 'journal_entry.insert'; mutation: JournalCreate; unitId: string }
  | { kind: 'journal_entry.mark_erroneous'; mutation: MarkErroneous }
  | { kind: 'day_note.insert'; mutation: DayNoteCreate }
  | { kind: 'day_note.mark_summarised'; mutation: MarkSummarised };

export type Decision =
  | { status: 'refused'; mutationId: string; code: ErrorCode; message: string }
  | {
      status: 'applied';
      mutationId: string;
      recordType: 'journal_entry' | 'day_note';
      recordId: string;
      /** The unit whose feed changes. */
      unitId: string;
      clientId: string | null;
      /** null: applied without change (a note summarised already). */
      write: Write | null;
    };

export interface RuleContext {
  /** unitIds of the user's scope now. */
  scope: ReadonlySet<string>;
  now: Date;
}

const refused = (m: Mutation, code: ErrorCode, message: string): Decision => ({ status: 'refused', mutationId: m.mutationId, code, message });
const applied = (
  m: Mutation,
  recordType: 'journal_entry' | 'day_note',
  where: { unitId: string; clientId: string | null },
  write: Write | null,
): Decision => ({ status: 'applied', mutationId: m.mutationId, recordType, recordId: m.record.id, unitId: where.unitId, clientId: where.clientId, write });

/** One day of slack for a workstation clock a little ahead. */
const tomorrow = (now: Date) => swedishDate(new Date(now.getTime() + 24 * 3600_000));

/** The client if it exists and is in scope; unknown and out of scope answer alike (existence is not revealed). */
function clientInScope(state: BatchState, clientId: string, ctx: RuleContext): { id: string; unitId: string } | null {
  const unitId = state.clients.get(clientId);
  return unitId !== undefined && ctx.scope.has(unitId) ? { id: clientId, unitId } : null;
}

function decideJournalCreate(m: JournalCreate, state: BatchState, ctx: RuleContext): Decision {
  const r = m.record;
  const client = clientInScope(state, r.clientId, ctx);
  if (!client) return refused(m, 'FORBIDDEN', MESSAGES.clientForbidden);
  if (r.eventDate > tomorrow(ctx.now)) return refused(m, 'VALIDATION', MESSAGES.futureDate);
  if (r.correctsId !== null && state.entries.get(r.correctsId)?.clientId !== r.clientId) return refused(m, 'NOT_FOUND', MESSAGES.correctsMissing);
  if (r.assignmentId !== null && state.assignments?.get(r.assignmentId) !== r.clientId) return refused(m, 'NOT_FOUND', MESSAGES.assignmentMissing);
  if (state.taken.has(r.id)) return refused(m, 'CONFLICT', MESSAGES.duplicateId);
  return applied(m, 'journal_entry', { unitId: client.unitId, clientId: client.id }, { kind: 'journal_entry.insert', mutation: m, unitId: client.unitId });
}

function decideMarkErroneous(m: MarkErroneous, state: BatchState, ctx: RuleContext): Decision {
  const entry = state.entries.get(m.record.id);
  if (!entry) return refused(m, 'NOT_FOUND', MESSAGES.entryMissing);
  if (!ctx.scope.has(entry.unitId)) return refused(m, 'FORBIDDEN', MESSAGES.entryForbidden);
  if (entry.marked) return refused(m, 'CONFLICT', MESSAGES.alreadyErroneous);
  return applied(m, 'journal_entry', entry, { kind: 'journal_entry.mark_erroneous', mutation: m });
}

function decideDayNoteCreate(m: DayNoteCreate, state: BatchState, ctx: RuleContext): Decision {
  const r = m.record;
  if (!ctx.scope.has(r.unitId)) return refused(m, 'FORBIDDEN', MESSAGES.unitForbidden);
  if (r.clientId !== null) {
    const client = clientInScope(state, r.clientId, ctx);
    if (!client) return refused(m, 'FORBIDDEN', MESSAGES.clientForbidden);
    if (client.unitId !== r.unitId) return refused(m, 'VALIDATION', MESSAGES.clientNotInUnit);
  }
  if (state.taken.has(r.id)) return refused(m, 'CONFLICT', MESSAGES.duplicateId);
  return applied(m, 'day_note', r, { kind: 'day_note.insert', mutation: m });
}

/** Only summarised_at is set, once: marking again is applied without change. */
function decideMarkSummarised(m: MarkSummarised, state: BatchState, ctx: RuleContext): Decision {
  const note = state.notes.get(m.record.id);
  if (!note) return refused(m, 'NOT_FOUND', MESSAGES.noteMissing);
  if (!ctx.scope.has(note.unitId)) return refused(m, 'FORBIDDEN', MESSAGES.unitForbidden);
  return applied(m, 'day_note', note, note.summarised ? null : { kind: 'day_note.mark_summarised', mutation: m });
}

export function decide(m: Mutation, state: BatchState, ctx: RuleContext): Decision {
  switch (m.type) {
    case 'journal_entry.create':
      return decideJournalCreate(m, state, ctx);
    case 'journal_entry.mark_erroneous':
      return decideMarkErroneous(m, state, ctx);
    case 'day_note.create':
      return decideDayNoteCreate(m, state, ctx);
    case 'day_note.mark_summarised':
      return decideMarkSummarised(m, state, ctx);
  }
}

/** The state after `write`: what later mutations of the batch must see. */
function remember(state: BatchState, write: Write): void {
  const id = write.mutation.record.id;
  switch (write.kind) {
    case 'journal_entry.insert':
      state.taken.add(id);
      state.entries.set(id, { clientId: write.mutation.record.clientId, unitId: write.unitId, marked: false });
      return;
    case 'journal_entry.mark_erroneous':
      state.entries.get(id)!.marked = true;
      return;
    case 'day_note.insert':
      state.taken.add(id);
      state.notes.set(id, { clientId: write.mutation.record.clientId, unitId: write.mutation.record.unitId, summarised: false });
      return;
    case 'day_note.mark_summarised':
      state.notes.get(id)!.summarised = true;
      return;
  }
}

/** Decides the batch in order; `state` takes in each write, so it ends as the batch leaves the database. */
export function decideBatch(mutations: readonly Mutation[], state: BatchState, ctx: RuleContext): Decision[] {
  return mutations.map((m) => {
    const decision = decide(m, state, ctx);
    if (decision.status === 'applied' && decision.write) remember(state, decision.write);
    return decision;
  });
}
