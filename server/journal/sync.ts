import type { z } from 'zod';
import { swedishDateTime, type JournalEntryCreate, type JournalEntryMarkErroneous } from '#contract';
import {
  applied,
  authorName,
  clientInScope,
  defineServerKind,
  refused,
  SHARED_MESSAGES,
  tomorrow,
  type PushRules,
  type RuleContext,
  type SharedState,
} from '../sync/kind';
import { authorText, iso, jsonPlain, jsonValue, objectText } from '../sync/records';

/**
 * Journal entries on the server (table journal_entries, migration 0003): their feed record, and the
 * rules and writes of `journal_entry.create` and `journal_entry.mark_erroneous` (docs/sync.md).
 */

export type JournalCreate = z.infer<typeof JournalEntryCreate>;
export type MarkErroneous = z.infer<typeof JournalEntryMarkErroneous>;

export interface EntryState {
  clientId: string;
  unitId: string;
  marked: boolean;
  /** Who wrote it (absent: not loaded, e.g. written in this batch by the pusher herself). */
  authorId?: string;
  /** Who marked it erroneous, and why (shown to a second corrector). */
  markedBy?: { name: string; reason: string } | null;
  /** The correction already written for it: by whom, when (a second one is refused, naming it). */
  correctedBy?: { name: string; at: string } | null;
}
export interface JournalState {
  /** The journal entries the batch corrects or marks. */
  entries: Map<string, EntryState>;
  /** The assignments the batch's entries name: id → client. Absent: no such assignment. */
  assignments?: Map<string, string>;
}
export type JournalKeys = { correctsIds: Set<string>; markedEntryIds: Set<string>; assignmentIds: Set<string> };
export type JournalWrite =
  | { kind: 'journal_entry.insert'; mutation: JournalCreate; unitId: string }
  | { kind: 'journal_entry.mark_erroneous'; mutation: MarkErroneous };

export const JOURNAL_MESSAGES = {
  entryForbidden: 'Du har inte behörighet till journalanteckningen. Behörigheten kan ha upphört.',
  correctsMissing: 'Anteckningen som ska rättas finns inte hos samma brukare.',
  entryMissing: 'Journalanteckningen finns inte.',
  alreadyErroneous: 'Journalanteckningen är redan felmarkerad.',
  notYours: 'Bara den som skrev anteckningen, en superanvändare eller en verksamhetsansvarig får felmarkera den (docs/journal.md).',
  futureDate: 'Händelsedatumet ligger i framtiden.',
  assignmentMissing: 'Uppdraget som anteckningen gäller finns inte hos samma brukare.',
} as const;
const M = JOURNAL_MESSAGES;

/** JournalEntryRecord of the `journal_entries` row aliased `t`; `erroneous` is null until the entry is marked erroneous. */
export const journalJson = (t: string) =>
  objectText({
    id: jsonPlain(`${t}.id`),
    clientId: jsonPlain(`${t}.client_id`),
    unitId: jsonPlain(`${t}.unit_id`),
    eventDate: jsonPlain(`to_char(${t}.event_date, 'YYYY-MM-DD')`),
    text: jsonValue(`${t}.text`),
    lifeArea: jsonValue(`${t}.life_area`),
    assignmentId: jsonPlain(`${t}.assignment_id`),
    author: authorText(t, 'author'),
    createdAt: jsonPlain(iso(`${t}.created_at`)),
    erroneous: `CASE WHEN ${t}.erroneous_at IS NULL THEN 'null' ELSE ${objectText({
      markedAt: jsonPlain(iso(`${t}.erroneous_at`)),
      markedBy: authorText(t, 'erroneous_by'),
      reason: jsonValue(`${t}.erroneous_reason`),
    })} END`,
    correctsId: jsonPlain(`${t}.corrects_id`),
  });

type State = SharedState & JournalState;

function decideCreate(m: JournalCreate, state: State, ctx: RuleContext) {
  const r = m.record;
  const client = clientInScope(state, r.clientId, ctx);
  if (!client) return refused<JournalWrite>(m, 'FORBIDDEN', SHARED_MESSAGES.clientForbidden);
  if (r.eventDate > tomorrow(ctx.now)) return refused<JournalWrite>(m, 'VALIDATION', M.futureDate);
  if (r.correctsId !== null && state.entries.get(r.correctsId)?.clientId !== r.clientId) return refused<JournalWrite>(m, 'NOT_FOUND', M.correctsMissing);
  // One correction per entry: the second (two people correcting at once) is refused, naming the first.
  const first = r.correctsId === null ? null : state.entries.get(r.correctsId)?.correctedBy;
  if (first) return refused<JournalWrite>(m, 'CONFLICT', `Anteckningen har redan rättats av ${first.name} ${swedishDateTime(first.at)}. Din rättelse sparades inte; läs den första och skriv en ny anteckning om något saknas.`);
  if (r.assignmentId !== null && state.assignments?.get(r.assignmentId) !== r.clientId) return refused<JournalWrite>(m, 'NOT_FOUND', M.assignmentMissing);
  if (state.taken.has(r.id)) return refused<JournalWrite>(m, 'CONFLICT', SHARED_MESSAGES.duplicateId);
  return applied<JournalWrite>(m, 'journal_entry', { unitId: client.unitId, clientId: client.id }, { kind: 'journal_entry.insert', mutation: m, unitId: client.unitId });
}

function decideMarkErroneous(m: MarkErroneous, state: State, ctx: RuleContext) {
  const entry = state.entries.get(m.record.id);
  if (!entry) return refused<JournalWrite>(m, 'NOT_FOUND', M.entryMissing);
  if (!ctx.scope.has(entry.unitId)) return refused<JournalWrite>(m, 'FORBIDDEN', M.entryForbidden);
  // Who may mark whose entry (docs/journal.md, SOSFS 2014:5): the author, or a named role.
  if (entry.authorId !== undefined && entry.authorId !== ctx.staff?.id && !(ctx.staff && CORRECTORS.has(ctx.staff.role))) return refused<JournalWrite>(m, 'FORBIDDEN', M.notYours);
  if (entry.marked) return refused<JournalWrite>(m, 'CONFLICT', entry.markedBy ? `${M.alreadyErroneous} ${entry.markedBy.name} angav: ”${entry.markedBy.reason}”.` : M.alreadyErroneous);
  return applied<JournalWrite>(m, 'journal_entry', entry, { kind: 'journal_entry.mark_erroneous', mutation: m });
}

/** The staff roles that may mark a colleague's entry erroneous besides its author (docs/journal.md). */
const CORRECTORS: ReadonlySet<string> = new Set(['superuser', 'manager']);

type EntryRow = { id: string; client_id: string; unit_id: string; marked: boolean; author_staff_id: string; erroneous_by_name: string | null; erroneous_reason: string | null; corrected_by: string | null; corrected_at: Date | string | null };
const ENTRY_COLUMNS = `id, client_id, unit_id, erroneous_at IS NOT NULL AS marked, author_staff_id, erroneous_by_name, erroneous_reason,
  (SELECT c.author_name FROM journal_entries c WHERE c.corrects_id = journal_entries.id ORDER BY c.created_at LIMIT 1) AS corrected_by,
  (SELECT c.created_at FROM journal_entries c WHERE c.corrects_id = journal_entries.id ORDER BY c.created_at LIMIT 1) AS corrected_at`;

const push: PushRules<JournalState, JournalKeys, JournalWrite> = {
  idTable: 'journal_entries',
  messages: JOURNAL_MESSAGES,
  emptyState: () => ({ entries: new Map(), assignments: new Map() }),
  emptyKeys: () => ({ correctsIds: new Set(), markedEntryIds: new Set(), assignmentIds: new Set() }),
  async load(tx, keys, state) {
    const add = (rows: EntryRow[]) => {
      for (const r of rows) {
        state.entries.set(r.id, {
          clientId: r.client_id,
          unitId: r.unit_id,
          marked: r.marked,
          authorId: r.author_staff_id,
          markedBy: r.erroneous_by_name === null ? null : { name: r.erroneous_by_name, reason: r.erroneous_reason ?? '' },
          correctedBy: r.corrected_by === null || r.corrected_at === null ? null : { name: r.corrected_by, at: new Date(r.corrected_at).toISOString() },
        });
      }
    };
    const entryIds = [...new Set([...keys.correctsIds, ...keys.markedEntryIds])].sort();
    if (entryIds.length > 0) {
      // Lock first, read after, in two statements: READ COMMITTED gives each statement its own
      // snapshot, so a read in the locking statement would see a concurrent correction's row as
      // it was before that push committed (the row's mark, but not its correcting entry) and a
      // second correction at once would pass.
      await tx.query('SELECT 1 FROM journal_entries WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE', [entryIds]);
      add((await tx.query<EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM journal_entries WHERE id = ANY($1::uuid[])`, [entryIds])).rows);
    }
    if (keys.assignmentIds.length > 0) {
      const { rows } = await tx.query<{ id: string; client_id: string }>('SELECT id, client_id FROM assignments WHERE id = ANY($1::uuid[])', [keys.assignmentIds]);
      for (const r of rows) state.assignments?.set(r.id, r.client_id);
    }
  },
  mutations: {
    'journal_entry.create': {
      keys(m: JournalCreate, keys) {
        keys.clientIds.add(m.record.clientId);
        keys.createdIds.add(m.record.id);
        if (m.record.correctsId !== null) keys.correctsIds.add(m.record.correctsId);
        if (m.record.assignmentId !== null) keys.assignmentIds.add(m.record.assignmentId);
      },
      decide: decideCreate,
    },
    'journal_entry.mark_erroneous': {
      keys(m: MarkErroneous, keys) {
        keys.markedEntryIds.add(m.record.id);
      },
      decide: decideMarkErroneous,
    },
  },
  remember(write, state) {
    const id = write.mutation.record.id;
    if (write.kind === 'journal_entry.insert') {
      state.taken.add(id);
      state.entries.set(id, { clientId: write.mutation.record.clientId, unitId: write.unitId, marked: false });
      const corrected = write.mutation.record.correctsId === null ? undefined : state.entries.get(write.mutation.record.correctsId);
      if (corrected) corrected.correctedBy = { name: 'en kollega', at: new Date().toISOString() };
    } else {
      state.entries.get(id)!.marked = true;
    }
  },
  writers: {
    // A batch written offline keeps the order it was written in (issue 32): its entries get the
    // server's time one millisecond apart in batch (= outbox, = writing) order, so the journal's
    // (event date, created at) order never falls back to the ids.
    'journal_entry.insert': async (tx, writes, ctx) => {
      const r = writes.map((w) => w.mutation.record);
      const { rows } = await tx.query<{ id: string }>(
        `INSERT INTO journal_entries (id, client_id, unit_id, event_date, text, life_area, assignment_id, corrects_id,
                                      author_staff_id, author_hsa_id, author_name, author_title, created_at, client_created_at)
         SELECT r.id, r.client_id, r.unit_id, r.event_date, r.text, r.life_area, r.assignment_id, r.corrects_id,
                $10, $11, $12, $13, $14::timestamptz + (r.n - 1) * interval '1 millisecond', r.client_created_at
           FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::date[], $5::text[], $6::text[], $7::uuid[], $8::uuid[], $9::timestamptz[])
                WITH ORDINALITY AS r(id, client_id, unit_id, event_date, text, life_area, assignment_id, corrects_id, client_created_at, n)
          ORDER BY r.n
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [
          r.map((x) => x.id), r.map((x) => x.clientId), writes.map((w) => w.unitId), r.map((x) => x.eventDate), r.map((x) => x.text),
          r.map((x) => x.lifeArea), r.map((x) => x.assignmentId), r.map((x) => x.correctsId), writes.map((w) => w.mutation.createdAt),
          ctx.staff.id, ctx.staff.hsaId, authorName(ctx.staff), ctx.staff.title, ctx.now,
        ],
      );
      return rows;
    },
    'journal_entry.mark_erroneous': async (tx, writes, ctx) => {
      const { rows } = await tx.query<{ id: string }>(
        `UPDATE journal_entries j
            SET erroneous_at = $3, erroneous_by_staff_id = $4, erroneous_by_hsa_id = $5, erroneous_by_name = $6,
                erroneous_by_title = $7, erroneous_reason = r.reason
           FROM unnest($1::uuid[], $2::text[]) AS r(id, reason)
          WHERE j.id = r.id
         RETURNING j.id`,
        [writes.map((w) => w.mutation.record.id), writes.map((w) => w.mutation.record.reason), ctx.now, ctx.staff.id, ctx.staff.hsaId, authorName(ctx.staff), ctx.staff.title],
      );
      return rows;
    },
  },
};

export const journalSync = defineServerKind({
  name: 'journal_entry',
  feed: { table: 'journal_entries', json: journalJson },
  push,
  appendOnly: ['journal_entries'],
});
