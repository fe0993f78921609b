import type { Assignment, AssignmentSummary, OfficerAction, ProviderAction } from '#contract';
import { swedishDate } from '#contract';
import { AppFailure } from '#contract';
import type { Db, Queryable } from '../../db/types';
import { recordAssignmentAccess } from '../access';
import { getAssignment, loadSummary } from '../queries/get';
import { NOT_FOUND_MESSAGE, inScope, isUuid, type ActContext, type Scope } from '../scope';
import { stateColumns, toState } from '../sql-rows';
import { applyOfficerAction, applyProviderAction, type AssignmentState } from '../state-machine';
import { appendEvent } from './history';

/** Writes the state the state machine answered; the row's version goes up by one. */
async function writeState(tx: Queryable, id: string, s: AssignmentState, at: Date): Promise<number> {
  const cols = stateColumns(s, 2);
  const atParam = `$${cols.values.length + 2}`;
  const { rows } = await tx.query<{ version: number }>(
    `UPDATE assignments SET ${cols.names.map((n, i) => `${n} = ${cols.placeholders[i]}`).join(', ')}, updated_at = ${atParam}, version = version + 1
      WHERE id = $1 RETURNING version`,
    [id, ...cols.values, at],
  );
  return rows[0]!.version;
}

/** Extra checks of a provider action that need the database (the target unit and staff of a distribution), given the assignment as it is. */
export type ActionCheck = (tx: Queryable, action: ProviderAction, current: AssignmentSummary) => Promise<void>;

/**
 * Applies one action in one transaction. Out of scope or missing: NOT_FOUND (alike, existence is
 * not revealed). Refused by the state machine: CONFLICT or VALIDATION with the Swedish message.
 * A requestId seen before on this assignment answers the assignment as it is, without applying again.
 */
export async function actOnAssignment(
  db: Db,
  id: string,
  scope: Scope,
  action: { kind: 'provider'; action: ProviderAction; check?: ActionCheck } | { kind: 'officer'; action: OfficerAction },
  ctx: ActContext,
): Promise<Assignment> {
  if (!isUuid(id)) throw new AppFailure('NOT_FOUND', NOT_FOUND_MESSAGE);
  await db.transaction(async (tx) => {
    const { rows: locked } = await tx.query<{ unit_id: string; client_id: string }>('SELECT unit_id, client_id FROM assignments WHERE id = $1 FOR UPDATE', [id]);
    if (!locked[0] || !(await inScope(tx, scope, { unitId: locked[0].unit_id, clientId: locked[0].client_id }))) throw new AppFailure('NOT_FOUND', NOT_FOUND_MESSAGE);
    const requestId = action.kind === 'provider' ? action.action.requestId : undefined;
    if (requestId) {
      const { rows: seen } = await tx.query<{ assignment_id: string }>('SELECT assignment_id FROM assignment_events WHERE request_id = $1', [requestId]);
      if (seen[0]) {
        if (seen[0].assignment_id !== id) throw new AppFailure('CONFLICT', 'Begärans id används redan för ett annat uppdrag.');
        return;
      }
    }
    const current = (await loadSummary(tx, id))!;
    const tctx = { today: swedishDate(ctx.now), now: ctx.now };
    const outcome =
      action.kind === 'provider' ? applyProviderAction(toState(current), action.action, tctx) : applyOfficerAction(toState(current), action.action, tctx);
    if (!outcome.ok) throw new AppFailure(outcome.code, outcome.message);
    if (action.kind === 'provider' && action.check) await action.check(tx, action.action, current);
    const version = await writeState(tx, id, outcome.state, ctx.now);
    await appendEvent(tx, {
      assignmentId: id,
      version,
      action: action.action.type,
      actor: ctx.actor,
      details: outcome.details,
      at: ctx.now,
      ...(requestId ? { requestId } : {}),
    });
    await recordAssignmentAccess(tx, 'change', ctx, current.clientId, id);
  });
  return (await getAssignment(db, id, 'all'))!;
}

