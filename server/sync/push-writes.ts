import type { StaffRecord } from '../auth/staff';
import type { Queryable } from '../db/types';
import type { Write } from './push-rules';

/**
 * Executes the writes the push rules decided (push-rules.ts), in batch order: a run of
 * consecutive writes of one kind is one statement over arrays (`unnest … WITH ORDINALITY`, inserted
 * in that order, so the change trigger, which runs per row, draws the seqs in batch order). Every
 * statement must touch exactly the rows it was given; fewer (an id inserted meanwhile by another
 * transaction) throws, and the caller falls back to one mutation at a time.
 */
export interface WriteContext {
  staff: StaffRecord;
  now: Date;
}

const authorName = (s: StaffRecord) => `${s.givenName} ${s.familyName}`;

type Of<K extends Write['kind']> = Extract<Write, { kind: K }>;
type Writer<K extends Write['kind']> = (tx: Queryable, writes: Of<K>[], ctx: WriteContext) => Promise<{ id: string }[]>;

const WRITERS: { [K in Write['kind']]: Writer<K> } = {
  'journal_entry.insert': async (tx, writes, ctx) => {
    const r = writes.map((w) => w.mutation.record);
    const { rows } = await tx.query<{ id: string }>(
      `INSERT INTO journal_entries (id, client_id, unit_id, event_date, text, life_area, assignment_id, corrects_id,
                                    author_staff_id, author_hsa_id, author_name, author_title, created_at, client_created_at)
       SELECT r.id, r.client_id, r.unit_id, r.event_date, r.text, r.life_area, r.assignment_id, r.corrects_id,
              $10, $11, $12, $13, $14, r.client_created_at
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
};

/** Runs of consecutive writes of one kind, in order. */
export function runsOfOneKind(writes: readonly Write[]): Write[][] {
  const runs: Write[][] = [];
  for (const w of writes) {
    const last = runs.at(-1);
    if (last && last[0]!.kind === w.kind) last.push(w);
    else runs.push([w]);
  }
  return runs;
}

export async function executeWrites(tx: Queryable, writes: readonly Write[], ctx: WriteContext): Promise<void> {
  for (const run of runsOfOneKind(writes)) {
    const writer = WRITERS[run[0]!.kind] as Writer<Write['kind']>;
    const rows = await writer(tx, run, ctx);
    if (rows.length !== run.length) {
      throw new Error(`push: ${run[0]!.kind} wrote ${rows.length} of ${run.length} rows (another transaction wrote one of them meanwhile?)`);
    }
  }
}
