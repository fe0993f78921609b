import { SqlAccessLog } from '../audit/access-log';
import type { Queryable } from '../db/types';
import type { ActContext } from './scope';

/** An assignment read or changed, in the access log (in the caller's transaction when it has one). */
export async function recordAssignmentAccess(q: Queryable, action: 'read' | 'change', ctx: ActContext, clientId: string, assignmentId: string): Promise<void> {
  await new SqlAccessLog(q).record({
    action,
    outcome: 'success',
    actorStaffId: ctx.actor.id,
    actorHsaId: ctx.actor.hsaId,
    clientId,
    recordType: 'assignment',
    recordId: assignmentId,
    ...(ctx.workstation ? { workstation: ctx.workstation } : {}),
    at: ctx.now,
  });
}
