import { beforeEach, describe, expect, it, vi } from 'vitest';
import { answer, inputsOf, ok, refused, reset } from '../../support/renderer-bridge';

vi.mock('../../../renderer/src/bridge', () => import('../../support/renderer-bridge'));
const plans = await import('../../../renderer/src/screens/plans/plans-actions');

/**
 * The plan screens' actions (renderer/src/screens/plans/plans-actions.ts): what the components
 * send, and the creates' ids — every send of one form until it succeeds carries the same id, so
 * a retry after an error is one record (docs/sync.md "Every create once").
 */
const clientId = '11111111-1111-4111-8111-111111111111';
const planId = '22222222-2222-4222-8222-222222222222';
const content = { clientGoals: 'Gå ut varje dag' } as never;
const requestIdOf = (input: unknown) => (input as { requestId: string }).requestId;

beforeEach(reset);

describe('saveDraft', () => {
  const draft = { clientId, planId, baseRevision: 3, basedOnVersionId: null, content };

  it('sends the draft as given, with one requestId per plan and base revision until it is saved', async () => {
    answer('plans.saveDraft', refused('SERVER_UNREACHABLE'), ok({ id: planId }), ok({ id: planId }));
    const first = await plans.saveDraft(draft);
    expect(first.ok).toBe(false);
    expect((await plans.saveDraft(draft)).ok).toBe(true);
    await plans.saveDraft(draft);
    const [a, b, c] = inputsOf('plans.saveDraft');
    expect(a).toEqual({ ...draft, requestId: expect.any(String) });
    expect(requestIdOf(b)).toBe(requestIdOf(a));
    // Saved: the next draft is a new thing.
    expect(requestIdOf(c)).not.toBe(requestIdOf(a));
  });

  it('gives a draft on another base revision its own id', async () => {
    answer('plans.saveDraft', refused('SERVER_UNREACHABLE'), refused('SERVER_UNREACHABLE'));
    await plans.saveDraft(draft);
    await plans.saveDraft({ ...draft, baseRevision: 4 });
    const [a, b] = inputsOf('plans.saveDraft');
    expect(requestIdOf(b)).not.toBe(requestIdOf(a));
  });
});

describe('follow-ups and consents', () => {
  it('keeps the follow-up and the consent of one plan apart, each once until recorded', async () => {
    const followUp = { id: planId, versionId: planId, date: '2026-12-01', outcomes: [], comment: '', revise: false };
    const consent = { id: planId, status: 'given', date: '2026-12-01', how: 'oral', givenBy: 'client', representative: '', note: '' } as const;
    answer('plans.followUp', refused('VALIDATION'), ok({}));
    answer('plans.consent', ok({}));
    expect(await plans.recordFollowUp(followUp)).toEqual(refused('VALIDATION'));
    await plans.recordConsent(consent);
    await plans.recordFollowUp(followUp);
    const [f1, f2] = inputsOf('plans.followUp');
    const [c1] = inputsOf('plans.consent');
    expect(f1).toEqual({ ...followUp, requestId: expect.any(String) });
    expect(c1).toEqual({ ...consent, requestId: expect.any(String) });
    expect(requestIdOf(f2)).toBe(requestIdOf(f1));
    expect(requestIdOf(c1)).not.toBe(requestIdOf(f1));
  });
});

describe('reads', () => {
  it('loads the plans and the conflicts of the client together, answered in that order', async () => {
    answer('plans.list', ok(['plan']));
    answer('plans.conflicts', ok(['conflict']));
    expect(await plans.loadClientPlans(clientId)).toEqual([ok(['plan']), ok(['conflict'])]);
    expect(inputsOf('plans.list')).toEqual([{ clientId }]);
    expect(inputsOf('plans.conflicts')).toEqual([{ clientId }]);
  });

  it('asks for the client’s assignments newest first and the unit’s due plans', async () => {
    answer('inbox.list', ok({ items: [] }));
    answer('plans.due', refused('NOT_FOUND'));
    await plans.clientAssignments(clientId);
    expect(await plans.duePlans(clientId)).toEqual(refused('NOT_FOUND'));
    expect(inputsOf('inbox.list')).toEqual([{ clientId, limit: 100, sort: 'start_desc' }]);
    expect(inputsOf('plans.due')).toEqual([{ unitId: clientId, limit: 500 }]);
  });
});
