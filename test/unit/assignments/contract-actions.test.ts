/**
 * What the inbox offers on an assignment (contract/assignment-actions.ts): the next expected step
 * as the primary action by state, absence and presence by kind of service, Verkställ not before the
 * decision starts, and the execution date a form proposes.
 */
import { describe, expect, it } from 'vitest';
import { defaultExecutionDate, offeredActions, type AssignmentSummary } from '#contract';

const TODAY = '2026-06-15';
type Offerable = Parameters<typeof offeredActions>[0];
const a = (over: Partial<Pick<AssignmentSummary, 'status' | 'serviceKind' | 'startDate' | 'distributedTo' | 'executionDate'>>): Offerable => ({
  status: 'new',
  serviceKind: 'hemtjanst',
  startDate: '2026-06-01',
  distributedTo: null,
  executionDate: null,
  ...over,
});
const distributed = { unitId: '11111111-1111-4111-8111-111111111111', staffIds: [] };

describe('offered actions on an assignment', () => {
  it('the next step is the primary action, first in the row: Kvittera → Fördela → Verkställ; Återuppta; Bekräfta avbeställning', () => {
    expect(offeredActions(a({}), TODAY)).toEqual({ actions: ['confirm', 'report'], primary: 'confirm', executableFrom: null });
    expect(offeredActions(a({ status: 'confirmed' }), TODAY).primary).toBe('distribute');
    expect(offeredActions(a({ status: 'confirmed', distributedTo: distributed }), TODAY).actions).toEqual(['execute', 'distribute', 'report']);
    expect(offeredActions(a({ status: 'paused', executionDate: '2026-06-02' }), TODAY).primary).toBe('resume');
    expect(offeredActions(a({ status: 'cancellation_requested' }), TODAY)).toMatchObject({ actions: ['confirm_cancellation', 'report'], primary: 'confirm_cancellation' });
    expect(offeredActions(a({ status: 'executed', executionDate: '2026-06-02' }), TODAY).primary).toBeNull();
    expect(offeredActions(a({ status: 'ended' }), TODAY)).toEqual({ actions: [], primary: null, executableFrom: null });
  });

  it('absence only for special housing, presence only for short-term stays, neither otherwise', () => {
    const executed = (serviceKind: AssignmentSummary['serviceKind']) => offeredActions(a({ status: 'executed', executionDate: '2026-06-02', serviceKind }), TODAY).actions;
    expect(executed('hemtjanst').filter((x) => x.startsWith('register_'))).toEqual([]);
    expect(executed('daglig_verksamhet').filter((x) => x.startsWith('register_'))).toEqual([]);
    expect(executed('sarskilt_boende').filter((x) => x.startsWith('register_'))).toEqual(['register_absence']);
    expect(executed('korttidsvistelse').filter((x) => x.startsWith('register_'))).toEqual(['register_presence']);
  });

  it('before the decision starts, Verkställ is not offered and says from when', () => {
    const early = offeredActions(a({ status: 'confirmed', distributedTo: distributed, startDate: '2026-06-20' }), TODAY);
    expect(early).toEqual({ actions: ['distribute', 'report'], primary: null, executableFrom: '2026-06-20' });
    expect(defaultExecutionDate('2026-06-20', TODAY)).toBe('2026-06-20');
    expect(defaultExecutionDate('2026-06-01', TODAY)).toBe(TODAY);
  });
});
