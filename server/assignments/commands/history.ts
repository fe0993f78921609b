import type { HistoryAction } from '#contract';
import type { StaffRecord } from '../../auth/staff';
import type { Queryable } from '../../db/types';
import type { Details } from '../state-machine';

/** Appends one event to an assignment's history (append-only in the database), stamped with its actor. */
export async function appendEvent(
  tx: Queryable,
  e: { assignmentId: string; version: number; action: HistoryAction; actor: StaffRecord; details: Details; at: Date; requestId?: string },
): Promise<void> {
  await tx.query(
    `INSERT INTO assignment_events (assignment_id, version, at, action, actor_staff_id, actor_hsa_id, actor_name, actor_title, actor_role, details, request_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11)`,
    [
      e.assignmentId,
      e.version,
      e.at,
      e.action,
      e.actor.id,
      e.actor.hsaId,
      `${e.actor.givenName} ${e.actor.familyName}`,
      e.actor.title,
      e.actor.role,
      JSON.stringify(e.details),
      e.requestId ?? null,
    ],
  );
}

