import type { Assignment, HistoryEvent } from '#contract';
import type { Queryable } from '../../db/types';
import { EVENT_COLUMNS, SELECT, toHistoryEvent, toSummary, type EventRow, type Row } from '../sql-rows';

/**
 * Assignments as the sync pull hands them out (server/sync/pull.ts): each as it is now, with its
 * history, in one query for the rows and one for the events.
 */
export async function loadAssignmentsForSync(db: Queryable, ids: readonly string[]): Promise<Assignment[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<Row>(`${SELECT} WHERE a.id = ANY($1::uuid[])`, [ids]);
  const { rows: events } = await db.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM assignment_events WHERE assignment_id = ANY($1::uuid[]) ORDER BY assignment_id, version`,
    [ids],
  );
  const history = new Map<string, HistoryEvent[]>();
  for (const r of events) {
    const list = history.get(r.assignment_id) ?? [];
    list.push(toHistoryEvent(r));
    history.set(r.assignment_id, list);
  }
  return rows.map((r) => ({ ...toSummary(r), history: history.get(r.id) ?? [] }));
}

