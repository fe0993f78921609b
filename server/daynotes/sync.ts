import type { z } from 'zod';
import type { DayNoteCreate as DayNoteCreateSchema, DayNoteMarkSummarised } from '#contract';
import { applied, authorName, clientInScope, defineServerKind, refused, SHARED_MESSAGES, type PushRules, type RuleContext, type SharedState } from '../sync/kind';
import { authorText, iso, jsonPlain, jsonValue, objectText } from '../sync/records';

/**
 * Day notes on the server (table day_notes, migration 0003): their feed record (a note past the
 * retention is a delete), and the rules and writes of `day_note.create` and `day_note.mark_summarised`.
 */

export type DayNoteCreate = z.infer<typeof DayNoteCreateSchema>;
export type MarkSummarised = z.infer<typeof DayNoteMarkSummarised>;

export interface NoteState {
  clientId: string | null;
  unitId: string;
  summarised: boolean;
}
export interface DayNoteState {
  /** The day notes the batch marks summarised. */
  notes: Map<string, NoteState>;
}
export type DayNoteKeys = { summarisedNoteIds: Set<string> };
export type DayNoteWrite = { kind: 'day_note.insert'; mutation: DayNoteCreate } | { kind: 'day_note.mark_summarised'; mutation: MarkSummarised };

export const DAY_NOTE_MESSAGES = {
  noteMissing: 'Daganteckningen finns inte längre (den kan ha gallrats).',
} as const;

/** DayNoteRecord of the `day_notes` row aliased `t`. */
export const dayNoteJson = (t: string) =>
  objectText({
    id: jsonPlain(`${t}.id`),
    unitId: jsonPlain(`${t}.unit_id`),
    clientId: jsonPlain(`${t}.client_id`),
    text: jsonValue(`${t}.text`),
    author: authorText(t, 'author'),
    createdAt: jsonPlain(iso(`${t}.created_at`)),
    summarisedAt: jsonPlain(iso(`${t}.summarised_at`)),
  });

type State = SharedState & DayNoteState;

function decideCreate(m: DayNoteCreate, state: State, ctx: RuleContext) {
  const r = m.record;
  if (!ctx.scope.has(r.unitId)) return refused<DayNoteWrite>(m, 'FORBIDDEN', SHARED_MESSAGES.unitForbidden);
  if (r.clientId !== null) {
    const client = clientInScope(state, r.clientId, ctx);
    if (!client) return refused<DayNoteWrite>(m, 'FORBIDDEN', SHARED_MESSAGES.clientForbidden);
    if (client.unitId !== r.unitId) return refused<DayNoteWrite>(m, 'VALIDATION', SHARED_MESSAGES.clientNotInUnit);
  }
  if (state.taken.has(r.id)) return refused<DayNoteWrite>(m, 'CONFLICT', SHARED_MESSAGES.duplicateId);
  return applied<DayNoteWrite>(m, 'day_note', r, { kind: 'day_note.insert', mutation: m });
}

/** Only summarised_at is set, once: marking again is applied without change. */
function decideMarkSummarised(m: MarkSummarised, state: State, ctx: RuleContext) {
  const note = state.notes.get(m.record.id);
  if (!note) return refused<DayNoteWrite>(m, 'NOT_FOUND', DAY_NOTE_MESSAGES.noteMissing);
  if (!ctx.scope.has(note.unitId)) return refused<DayNoteWrite>(m, 'FORBIDDEN', SHARED_MESSAGES.unitForbidden);
  return applied<DayNoteWrite>(m, 'day_note', note, note.summarised ? null : { kind: 'day_note.mark_summarised', mutation: m });
}

const push: PushRules<DayNoteState, DayNoteKeys, DayNoteWrite> = {
  idTable: 'day_notes',
  messages: DAY_NOTE_MESSAGES,
  emptyState: () => ({ notes: new Map() }),
  emptyKeys: () => ({ summarisedNoteIds: new Set() }),
  async load(tx, keys, state) {
    if (keys.summarisedNoteIds.length === 0) return;
    const { rows } = await tx.query<{ id: string; client_id: string | null; unit_id: string; summarised: boolean }>(
      'SELECT id, client_id, unit_id, summarised_at IS NOT NULL AS summarised FROM day_notes WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE',
      [keys.summarisedNoteIds],
    );
    for (const r of rows) state.notes.set(r.id, { clientId: r.client_id, unitId: r.unit_id, summarised: r.summarised });
  },
  mutations: {
    'day_note.create': {
      keys(m: DayNoteCreate, keys) {
        if (m.record.clientId !== null) keys.clientIds.add(m.record.clientId);
        keys.createdIds.add(m.record.id);
      },
      decide: decideCreate,
    },
    'day_note.mark_summarised': {
      keys(m: MarkSummarised, keys) {
        keys.summarisedNoteIds.add(m.record.id);
      },
      decide: decideMarkSummarised,
    },
  },
  remember(write, state) {
    const id = write.mutation.record.id;
    if (write.kind === 'day_note.insert') {
      state.taken.add(id);
      state.notes.set(id, { clientId: write.mutation.record.clientId, unitId: write.mutation.record.unitId, summarised: false });
    } else {
      state.notes.get(id)!.summarised = true;
    }
  },
  writers: {
    'day_note.insert': async (tx, writes, ctx) => {
      const r = writes.map((w) => w.mutation.record);
      const { rows } = await tx.query<{ id: string }>(
        `INSERT INTO day_notes (id, unit_id, client_id, text, author_staff_id, author_hsa_id, author_name, author_title, created_at, client_created_at)
         SELECT r.id, r.unit_id, r.client_id, r.text, $6, $7, $8, $9, $10, r.client_created_at
           FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::timestamptz[])
                WITH ORDINALITY AS r(id, unit_id, client_id, text, client_created_at, n)
          ORDER BY r.n
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [
          r.map((x) => x.id), r.map((x) => x.unitId), r.map((x) => x.clientId), r.map((x) => x.text), writes.map((w) => w.mutation.createdAt),
          ctx.staff.id, ctx.staff.hsaId, authorName(ctx.staff), ctx.staff.title, ctx.now,
        ],
      );
      return rows;
    },
    'day_note.mark_summarised': async (tx, writes, ctx) => {
      const { rows } = await tx.query<{ id: string }>('UPDATE day_notes SET summarised_at = $2 WHERE id = ANY($1::uuid[]) RETURNING id', [
        writes.map((w) => w.mutation.record.id),
        ctx.now,
      ]);
      return rows;
    },
  },
};

export const dayNotesServer = defineServerKind({
  name: 'day_note',
  // Past the retention: a delete, as on the workstation (retention.ts deletes the rows later).
  feed: { table: 'day_notes', json: dayNoteJson, where: (t, { cutoff }) => `${t}.created_at >= ${cutoff}` },
  retention: { table: 'day_notes', column: 'created_at', env: 'DAY_NOTE_RETENTION_DAYS', defaultDays: 90 },
  push,
});
