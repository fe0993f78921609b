import { DEVIATION_MESSAGES, deviationInFuture, type DeviationReport } from '#contract';
import { applied, authorName, clientInScope, defineServerKind, refused, SHARED_MESSAGES, type PushRules, type RuleContext, type SharedState } from '../sync/kind';
import { deviationJson, insertDeviation } from './store';

/**
 * Deviations on the server (docs/deviations.md): the feed record, for the reporter alone (its
 * `audience`: colleagues never learn of a report, not even its id), and the rules and write of
 * `deviation.report`. The manager's handling and the case officer's reading are routes (routes.ts).
 */

export interface DeviationState {
  /** The assignments the batch's reports name: id → its unit and client. Absent: no such assignment. */
  deviationAssignments: Map<string, { unitId: string; clientId: string }>;
}
export type DeviationKeys = { deviationAssignmentIds: Set<string> };
export type DeviationWrite = { kind: 'deviation.report'; mutation: DeviationReport };

type State = SharedState & DeviationState;

function decideReport(m: DeviationReport, state: State, ctx: RuleContext) {
  const r = m.record;
  if (!ctx.scope.has(r.unitId)) return refused<DeviationWrite>(m, 'FORBIDDEN', SHARED_MESSAGES.unitForbidden);
  if (r.clientId !== null) {
    const client = clientInScope(state, r.clientId, ctx);
    if (!client) return refused<DeviationWrite>(m, 'FORBIDDEN', SHARED_MESSAGES.clientForbidden);
    if (client.unitId !== r.unitId) return refused<DeviationWrite>(m, 'VALIDATION', SHARED_MESSAGES.clientNotInUnit);
  }
  if (r.assignmentId !== null) {
    const a = state.deviationAssignments.get(r.assignmentId);
    if (!a || a.unitId !== r.unitId || a.clientId !== r.clientId) return refused<DeviationWrite>(m, 'VALIDATION', DEVIATION_MESSAGES.deviationAssignment);
  }
  if (deviationInFuture(r.occurredAt, ctx.now)) return refused<DeviationWrite>(m, 'VALIDATION', DEVIATION_MESSAGES.deviationFuture);
  if (state.taken.has(r.id)) return refused<DeviationWrite>(m, 'CONFLICT', SHARED_MESSAGES.duplicateId);
  return applied<DeviationWrite>(m, 'deviation', { unitId: r.unitId, clientId: r.clientId }, { kind: 'deviation.report', mutation: m });
}

const push: PushRules<DeviationState, DeviationKeys, DeviationWrite> = {
  idTable: 'deviations',
  messages: DEVIATION_MESSAGES,
  emptyState: () => ({ deviationAssignments: new Map() }),
  emptyKeys: () => ({ deviationAssignmentIds: new Set() }),
  async load(tx, keys, state) {
    if (keys.deviationAssignmentIds.length === 0) return;
    const { rows } = await tx.query<{ id: string; unit_id: string; client_id: string }>('SELECT id, unit_id, client_id FROM assignments WHERE id = ANY($1::uuid[])', [
      keys.deviationAssignmentIds,
    ]);
    for (const r of rows) state.deviationAssignments.set(r.id, { unitId: r.unit_id, clientId: r.client_id });
  },
  mutations: {
    'deviation.report': {
      keys(m: DeviationReport, keys) {
        if (m.record.clientId !== null) keys.clientIds.add(m.record.clientId);
        if (m.record.assignmentId !== null) keys.deviationAssignmentIds.add(m.record.assignmentId);
        keys.createdIds.add(m.record.id);
      },
      decide: decideReport,
    },
  },
  remember(write, state) {
    state.taken.add(write.mutation.record.id);
  },
  // Reports are few: one statement per write, in order.
  writers: {
    'deviation.report': async (tx, writes, ctx) => {
      const out: { id: string }[] = [];
      const reporter = { id: ctx.staff.id, hsaId: ctx.staff.hsaId, name: authorName(ctx.staff), title: ctx.staff.title };
      for (const { mutation: m } of writes) out.push(...(await insertDeviation(tx, m.record, reporter, ctx.now, m.createdAt)));
      return out;
    },
  },
};

export const deviationsSync = defineServerKind({
  name: 'deviation',
  // The reporter's own reports only: a colleague's pull carries nothing of them, not even a delete.
  feed: { table: 'deviations', json: deviationJson, audience: (t, { staff }) => `${t}.reporter_staff_id = ${staff}` },
  push,
  appendOnly: ['deviation_steps'],
});
