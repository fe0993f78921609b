import type { Assignment, AssignmentSummary, HistoryEvent } from '#contract';
import { AppFailure } from '#contract';
import type { Queryable } from '../../db/types';
import { recordAssignmentAccess } from '../access';
import { NOT_FOUND_MESSAGE, inScope, isUuid, type ActContext, type Scope } from '../scope';
import { EVENT_COLUMNS, SELECT, toHistoryEvent, toSummary, type EventRow, type Row } from '../sql-rows';

/** One assignment as it is now, without its history (null when it does not exist). */
export async function loadSummary(db: Queryable, id: string): Promise<AssignmentSummary | null> {
  const { rows } = await db.query<Row>(`${SELECT} WHERE a.id = $1`, [id]);
  return rows[0] ? toSummary(rows[0]) : null;
}

async function loadHistory(db: Queryable, id: string): Promise<HistoryEvent[]> {
  const { rows } = await db.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM assignment_events WHERE assignment_id = $1 ORDER BY version`, [id]);
  return rows.map(toHistoryEvent);
}

/** The assignment with its history, or null when it does not exist or is out of scope (alike). */
export async function getAssignment(db: Queryable, id: string, scope: Scope): Promise<Assignment | null> {
  if (!isUuid(id)) return null;
  const summary = await loadSummary(db, id);
  if (!summary || !(await inScope(db, scope, summary))) return null;
  return { ...summary, history: await loadHistory(db, id) };
}

/** Reading one assignment: the read event in the access log, then the assignment. */
export async function readAssignment(db: Queryable, id: string, scope: Scope, ctx: ActContext): Promise<Assignment> {
  const assignment = await getAssignment(db, id, scope);
  if (!assignment) throw new AppFailure('NOT_FOUND', NOT_FOUND_MESSAGE);
  await recordAssignmentAccess(db, 'read', ctx, assignment.clientId, assignment.id);
  return assignment;
}

