import {
  deviationProgress,
  DeviationRecord,
  swedishDate,
  swedishLocalDateTime,
  type DeviationReport,
  type DeviationStep,
  type DeviationStepInput,
} from '#contract';
import type { Queryable } from '../db/types';
import { authorJson, iso } from '../sync/records';

/**
 * Deviations in PostgreSQL (migrations/0065_deviations.sql): the feed record's JSON, the report's
 * insert, the steps and the head they set. Shared by the sync kind (sync.ts), the manager's and
 * the case officer's routes (routes.ts) and the demo data; it imports neither, so they do not
 * import each other.
 */

export interface Person {
  id: string;
  hsaId: string;
  name: string;
  title: string;
}

/** DeviationRecord of the `deviations` row aliased `t` (keys in the schema's order). */
export const deviationJson = (t: string) => `json_build_object(
  'id', ${t}.id, 'unitId', ${t}.unit_id, 'clientId', ${t}.client_id, 'assignmentId', ${t}.assignment_id, 'occurredAt', ${iso(`${t}.occurred_at`)},
  'place', ${t}.place, 'category', ${t}.category, 'description', ${t}.description, 'consequence', ${t}.consequence,
  'immediateAction', ${t}.immediate_action, 'lexSarah', ${t}.lex_sarah, 'reportedBy', ${authorJson(t, 'reporter')},
  'reportedAt', ${iso(`${t}.reported_at`)}, 'status', ${t}.status, 'decision', ${t}.decision,
  'closedAt', CASE WHEN ${t}.closed_at IS NULL THEN NULL ELSE ${iso(`${t}.closed_at`)} END)::text`;

/** The Swedish day, month and hour of an instant: what the due days, the monthly figures and the patterns use. */
export function swedishParts(at: Date): { day: string; month: string; hour: number } {
  const local = swedishLocalDateTime(at);
  return { day: local.slice(0, 10), month: `${local.slice(0, 7)}-01`, hour: Number(local.slice(11, 13)) };
}

/** Inserts a report (at most once per id); returns its id when written now. */
export async function insertDeviation(tx: Queryable, r: DeviationReport['record'], reporter: Person, reportedAt: Date, clientCreatedAt: string): Promise<{ id: string }[]> {
  const occurred = swedishParts(new Date(r.occurredAt));
  const reported = swedishParts(reportedAt);
  const progress = deviationProgress(reported.day, []);
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO deviations (id, unit_id, client_id, assignment_id, occurred_at, occurred_hour, place, category, description, consequence, immediate_action,
       lex_sarah, reporter_staff_id, reporter_hsa_id, reporter_name, reporter_title, reported_at, reported_on, reported_month, client_reported_at,
       status, next_step, next_due, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, 'reported', $21, $22, $17)
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    [
      r.id, r.unitId, r.clientId, r.assignmentId, r.occurredAt, occurred.hour, r.place.trim(), r.category, r.description, r.consequence, r.immediateAction,
      r.lexSarah, reporter.id, reporter.hsaId, reporter.name, reporter.title, reportedAt, reported.day, reported.month, clientCreatedAt,
      progress.next, progress.due,
    ],
  );
  return rows;
}

/** The steps of a deviation in the order written. */
export async function stepsOf(db: Queryable, deviationId: string): Promise<DeviationStep[]> {
  const { rows } = await db.query<{ body: DeviationStepInput; at: Date; by_staff_id: string; by_hsa_id: string; by_name: string; by_title: string }>(
    'SELECT body, at, by_staff_id, by_hsa_id, by_name, by_title FROM deviation_steps WHERE deviation_id = $1 ORDER BY at, id',
    [deviationId],
  );
  return rows.map((r) => ({ ...r.body, by: { staffId: r.by_staff_id, hsaId: r.by_hsa_id, name: r.by_name, title: r.by_title }, at: new Date(r.at).toISOString() }) as DeviationStep);
}

/**
 * Writes a step (the caller has checked it against `steps`, the deviation locked) and sets the
 * head from all the steps: status, decision, the next step and its due day, received and closed.
 */
export async function appendStep(tx: Queryable, deviationId: string, reportedOn: string, steps: readonly DeviationStepInput[], step: DeviationStepInput, by: Person, at: Date): Promise<void> {
  const { id, kind } = step;
  await tx.query(
    `INSERT INTO deviation_steps (id, deviation_id, kind, body, at, by_staff_id, by_hsa_id, by_name, by_title) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9)`,
    [id, deviationId, kind, JSON.stringify(step), at, by.id, by.hsaId, by.name, by.title],
  );
  const p = deviationProgress(reportedOn, [...steps, step]);
  await tx.query(
    `UPDATE deviations SET status = $2, decision = $3, next_step = $4, next_due = $5, ivo_due = $6,
       received_at = CASE WHEN $7 = 'received' THEN $8 ELSE received_at END, closed_at = CASE WHEN $7 = 'closed' THEN $8 ELSE closed_at END, updated_at = $8
     WHERE id = $1`,
    [deviationId, p.status, p.decision, p.next, p.due, p.ivoDue, kind, at],
  );
}

/** The record of a deviation, or null. */
export async function deviationRecord(db: Queryable, id: string): Promise<DeviationRecord | null> {
  const { rows } = await db.query<{ json: string }>(`SELECT ${deviationJson('d')} AS json FROM deviations d WHERE d.id = $1`, [id]);
  return rows[0] ? DeviationRecord.parse(JSON.parse(rows[0].json)) : null;
}

export const reportedOnOf = (record: DeviationRecord) => swedishDate(new Date(record.reportedAt));
