/**
 * The assignment state machine (server/assignments/state-machine.ts), exhaustively: every status ×
 * every provider action and every officer action, then the date rules one by one.
 */
import { describe, expect, it } from 'vitest';
import { AssignmentStatus, PROVIDER_ACTION_TYPES, type OfficerAction, type ProviderAction, type ProviderActionType } from '#contract';
import {
  MESSAGES,
  applyOfficerAction,
  applyProviderAction,
  providerActionsAllowed,
  registrationNotForKind,
  type AssignmentState,
  type Outcome,
} from '../../../server/assignments/state-machine';

const UNIT = '11111111-1111-4111-8111-111111111111';
const OTHER_UNIT = '22222222-2222-4222-8222-222222222222';
const TODAY = '2026-06-15';
const ctx = { today: TODAY, now: new Date('2026-06-15T10:00:00Z') };

const base: AssignmentState = {
  status: 'new',
  unitId: UNIT,
  decision: { reference: 'BIS-2026-1', date: '2026-05-20' },
  services: [{ name: 'Hemtjänst', grantedHours: 20, per: 'month' }],
  // A short-term stay: presence is registered, absence is not (special housing's).
  serviceKind: 'korttidsvistelse',
  startDate: '2026-06-01',
  endDate: null,
  freeText: '',
  confirmedAt: null,
  distributedTo: null,
  executionDate: null,
  pauses: [],
  registrations: [],
  cancellation: null,
  changePending: false,
};

/** A coherent assignment in each status. */
const inStatus: Record<AssignmentStatus, AssignmentState> = {
  new: base,
  confirmed: { ...base, status: 'confirmed', confirmedAt: '2026-05-21T08:00:00.000Z' },
  executed: { ...base, status: 'executed', confirmedAt: '2026-05-21T08:00:00.000Z', executionDate: '2026-06-02' },
  paused: {
    ...base,
    status: 'paused',
    confirmedAt: '2026-05-21T08:00:00.000Z',
    executionDate: '2026-06-02',
    pauses: [{ from: '2026-06-10', to: null, reason: 'Sjukhusvistelse' }],
  },
  cancellation_requested: {
    ...base,
    status: 'cancellation_requested',
    confirmedAt: '2026-05-21T08:00:00.000Z',
    cancellation: { requestedAt: '2026-06-14T08:00:00.000Z', reason: 'Flyttat', confirmedAt: null },
  },
  cancelled: {
    ...base,
    status: 'cancelled',
    cancellation: { requestedAt: '2026-06-14T08:00:00.000Z', reason: 'Flyttat', confirmedAt: '2026-06-14T09:00:00.000Z' },
  },
  ended: { ...base, status: 'ended', confirmedAt: '2026-05-21T08:00:00.000Z', executionDate: '2026-06-02', endDate: '2026-06-12' },
};

/** A valid instance of every provider action (valid dates for the states above). */
const actions: Record<ProviderActionType, ProviderAction> = {
  confirm: { type: 'confirm' },
  distribute: { type: 'distribute', unitId: OTHER_UNIT, staffIds: [] },
  execute: { type: 'execute', executionDate: '2026-06-05' },
  report: { type: 'report', message: 'Brukaren är hemma igen.' },
  pause: { type: 'pause', from: '2026-06-12', reason: 'Sjukhusvistelse' },
  resume: { type: 'resume', to: '2026-06-14' },
  confirm_cancellation: { type: 'confirm_cancellation' },
  confirm_change: { type: 'confirm_change' },
  end: { type: 'end', endDate: '2026-06-14', reason: 'Brukaren har flyttat.' },
  register_absence: { type: 'register_absence', from: '2026-06-03', to: '2026-06-04' },
  register_presence: { type: 'register_presence', from: '2026-06-03', to: '2026-06-04' },
};

const NO_ABSENCE = registrationNotForKind('korttidsvistelse', 'absence');

/** Expected: the status after an allowed action, or the refusal message. */
const expected: Record<AssignmentStatus, Record<ProviderActionType, { status: AssignmentStatus } | { refused: string }>> = {
  new: {
    confirm: { status: 'confirmed' },
    distribute: { refused: MESSAGES.confirmBeforeDistribute },
    execute: { refused: MESSAGES.confirmBeforeExecute },
    report: { status: 'new' },
    pause: { refused: MESSAGES.executeBeforePause },
    resume: { refused: MESSAGES.notPaused },
    confirm_cancellation: { refused: MESSAGES.noCancellation },
    // Without a change by the case officer to confirm (changePending below).
    confirm_change: { refused: MESSAGES.noChangeToConfirm },
    end: { refused: MESSAGES.executeBeforeEnd },
    register_absence: { refused: NO_ABSENCE },
    register_presence: { refused: MESSAGES.executeBeforePresence },
  },
  confirmed: {
    confirm: { refused: MESSAGES.alreadyConfirmed },
    distribute: { status: 'confirmed' },
    execute: { status: 'executed' },
    report: { status: 'confirmed' },
    pause: { refused: MESSAGES.executeBeforePause },
    resume: { refused: MESSAGES.notPaused },
    confirm_cancellation: { refused: MESSAGES.noCancellation },
    // Without a change by the case officer to confirm (changePending below).
    confirm_change: { refused: MESSAGES.noChangeToConfirm },
    end: { refused: MESSAGES.executeBeforeEnd },
    register_absence: { refused: NO_ABSENCE },
    register_presence: { refused: MESSAGES.executeBeforePresence },
  },
  executed: {
    confirm: { refused: MESSAGES.alreadyConfirmed },
    distribute: { status: 'executed' },
    execute: { status: 'executed' },
    report: { status: 'executed' },
    pause: { status: 'paused' },
    resume: { refused: MESSAGES.notPaused },
    confirm_cancellation: { refused: MESSAGES.noCancellation },
    // Without a change by the case officer to confirm (changePending below).
    confirm_change: { refused: MESSAGES.noChangeToConfirm },
    end: { status: 'ended' },
    register_absence: { refused: NO_ABSENCE },
    register_presence: { status: 'executed' },
  },
  paused: {
    confirm: { refused: MESSAGES.alreadyConfirmed },
    distribute: { status: 'paused' },
    execute: { refused: MESSAGES.resumeBeforeExecute },
    report: { status: 'paused' },
    pause: { refused: MESSAGES.alreadyPaused },
    resume: { status: 'executed' },
    confirm_cancellation: { refused: MESSAGES.noCancellation },
    // Without a change by the case officer to confirm (changePending below).
    confirm_change: { refused: MESSAGES.noChangeToConfirm },
    end: { status: 'ended' },
    register_absence: { refused: NO_ABSENCE },
    register_presence: { status: 'paused' },
  },
  cancellation_requested: {
    confirm: { refused: MESSAGES.cancellationPending },
    distribute: { refused: MESSAGES.cancellationPending },
    execute: { refused: MESSAGES.cancellationPending },
    report: { status: 'cancellation_requested' },
    pause: { refused: MESSAGES.cancellationPending },
    resume: { refused: MESSAGES.cancellationPending },
    confirm_cancellation: { status: 'cancelled' },
    // Without a change by the case officer to confirm (changePending below).
    confirm_change: { refused: MESSAGES.noChangeToConfirm },
    end: { refused: MESSAGES.cancellationPending },
    register_absence: { refused: MESSAGES.cancellationPending },
    register_presence: { refused: MESSAGES.cancellationPending },
  },
  cancelled: Object.fromEntries(PROVIDER_ACTION_TYPES.map((t) => [t, { refused: MESSAGES.cancelled }])) as Record<ProviderActionType, { refused: string }>,
  ended: Object.fromEntries(PROVIDER_ACTION_TYPES.map((t) => [t, { refused: MESSAGES.ended }])) as Record<ProviderActionType, { refused: string }>,
};

const refusedWith = (outcome: Outcome) => (outcome.ok ? null : outcome.message);

describe('assignment state machine: every status × every provider action', () => {
  it('the action list covers the contract’s actions', () => {
    expect([...PROVIDER_ACTION_TYPES].sort()).toEqual(Object.keys(actions).sort());
  });

  for (const status of AssignmentStatus.options) {
    for (const type of PROVIDER_ACTION_TYPES) {
      const want = expected[status][type];
      it(`${status} × ${type}: ${'status' in want ? `→ ${want.status}` : 'refused'}`, () => {
        const outcome = applyProviderAction(inStatus[status], actions[type], ctx);
        if ('status' in want) {
          expect(refusedWith(outcome)).toBeNull();
          expect(outcome.ok && outcome.state.status).toBe(want.status);
        } else {
          expect(outcome).toEqual({ ok: false, code: 'CONFLICT', message: want.refused });
        }
        // providerActionsAllowed tells a UI the same thing.
        expect(providerActionsAllowed(status, base.serviceKind).includes(type)).toBe('status' in want);
      });
    }
  }

  it('a refusal never changes the state it was given', () => {
    const frozen = structuredClone(inStatus);
    for (const status of AssignmentStatus.options) for (const type of PROVIDER_ACTION_TYPES) applyProviderAction(inStatus[status], actions[type], ctx);
    expect(inStatus).toEqual(frozen);
  });
});

describe('assignment state machine: a change by the case officer is to be confirmed as seen', () => {
  const change: OfficerAction = { type: 'change', services: [{ name: 'Hemtjänst', grantedHours: 30, per: 'month' }] };

  it('the officer’s change sets changePending; confirm_change clears it, in every status that is not final', () => {
    for (const status of ['new', 'confirmed', 'executed', 'paused'] as const) {
      const changed = applyOfficerAction(inStatus[status], change, ctx);
      expect(changed.ok && changed.state.changePending).toBe(true);
      const seen = applyProviderAction(changed.ok ? changed.state : base, { type: 'confirm_change' }, ctx);
      expect(seen).toEqual({ ok: true, state: { ...inStatus[status], services: change.services, changePending: false }, details: {} });
    }
    // Changed, then cancelled: the change can still be confirmed while the cancellation waits.
    const changed = applyOfficerAction(inStatus.executed, change, ctx);
    const cancelled = applyOfficerAction(changed.ok ? changed.state : base, { type: 'cancel', reason: 'Flyttat' }, ctx);
    expect(cancelled.ok && cancelled.state.changePending).toBe(true);
    const seen = applyProviderAction(cancelled.ok ? cancelled.state : base, { type: 'confirm_change' }, ctx);
    expect(seen.ok && seen.state).toMatchObject({ status: 'cancellation_requested', changePending: false });
  });

  it('a final status leaves nothing to confirm: confirming the cancellation, or an end, clears it', () => {
    const changed = applyOfficerAction(inStatus.executed, change, ctx);
    const state = changed.ok ? changed.state : base;
    const cancelled = applyOfficerAction(state, { type: 'cancel', reason: 'Flyttat' }, ctx);
    const confirmed = applyProviderAction(cancelled.ok ? cancelled.state : base, { type: 'confirm_cancellation' }, ctx);
    expect(confirmed.ok && confirmed.state).toMatchObject({ status: 'cancelled', changePending: false });
    const endedByOfficer = applyOfficerAction(state, { type: 'end', endDate: '2026-06-14' }, ctx);
    expect(endedByOfficer.ok && endedByOfficer.state).toMatchObject({ status: 'ended', changePending: false });
    const ended = applyProviderAction(state, { type: 'end', endDate: '2026-06-14', reason: 'Brukaren har flyttat.' }, ctx);
    expect(ended.ok && ended.state).toMatchObject({ status: 'ended', changePending: false });
  });
});

describe('assignment state machine: what the allowed actions record', () => {
  it('confirm stamps the time; distribute moves the assignment to the unit and names the staff', () => {
    const confirmed = applyProviderAction(base, { type: 'confirm' }, ctx);
    expect(confirmed.ok && confirmed.state.confirmedAt).toBe('2026-06-15T10:00:00.000Z');
    const staff = ['33333333-3333-4333-8333-333333333333'];
    const d = applyProviderAction(inStatus.confirmed, { type: 'distribute', unitId: OTHER_UNIT, staffIds: [...staff, ...staff] }, ctx);
    expect(d.ok && d.state.unitId).toBe(OTHER_UNIT);
    expect(d.ok && d.state.distributedTo).toEqual({ unitId: OTHER_UNIT, staffIds: staff });
    expect(d.ok && d.details).toEqual({ unitId: OTHER_UNIT, staffIds: staff, previousUnitId: UNIT });
    const again = applyProviderAction(d.ok ? d.state : base, { type: 'distribute', unitId: OTHER_UNIT, staffIds: staff }, ctx);
    expect(refusedWith(again)).toBe(MESSAGES.alreadyDistributed);
  });

  it('execute keeps the previous date in the event details (the execution date’s history)', () => {
    const first = applyProviderAction(inStatus.confirmed, { type: 'execute', executionDate: '2026-06-03' }, ctx);
    expect(first.ok && first.details).toEqual({ executionDate: '2026-06-03', previousExecutionDate: null });
    const corrected = applyProviderAction(first.ok ? first.state : base, { type: 'execute', executionDate: '2026-06-01' }, ctx);
    expect(corrected.ok && corrected.state.executionDate).toBe('2026-06-01');
    expect(corrected.ok && corrected.details).toEqual({ executionDate: '2026-06-01', previousExecutionDate: '2026-06-03' });
  });

  it('pause opens a pause; resume closes it; end closes an open pause on the end date', () => {
    const p = applyProviderAction(inStatus.executed, { type: 'pause', from: '2026-06-12', reason: 'Sjukhusvistelse' }, ctx);
    expect(p.ok && p.state.pauses).toEqual([{ from: '2026-06-12', to: null, reason: 'Sjukhusvistelse' }]);
    const r = applyProviderAction(p.ok ? p.state : base, { type: 'resume', to: '2026-06-14' }, ctx);
    expect(r.ok && r.state.pauses).toEqual([{ from: '2026-06-12', to: '2026-06-14', reason: 'Sjukhusvistelse' }]);
    const e = applyProviderAction(inStatus.paused, { type: 'end', endDate: '2026-06-13', reason: 'Flyttat.' }, ctx);
    expect(e.ok && e.state.pauses).toEqual([{ from: '2026-06-10', to: '2026-06-13', reason: 'Sjukhusvistelse' }]);
    expect(e.ok && e.state.endDate).toBe('2026-06-13');
    expect(e.ok && e.details).toEqual({ endDate: '2026-06-13', previousEndDate: null, reason: 'Flyttat.' });
  });

  it('confirm_cancellation stamps the confirmation', () => {
    const c = applyProviderAction(inStatus.cancellation_requested, { type: 'confirm_cancellation' }, ctx);
    expect(c.ok && c.state.cancellation).toEqual({ requestedAt: '2026-06-14T08:00:00.000Z', reason: 'Flyttat', confirmedAt: '2026-06-15T10:00:00.000Z' });
  });
});

describe('assignment state machine: date rules', () => {
  const refusal = (state: AssignmentState, action: ProviderAction) => {
    const o = applyProviderAction(state, action, ctx);
    expect(o.ok).toBe(false);
    return o.ok ? null : { code: o.code, message: o.message };
  };

  it('execute: not before the decision’s start date, not after today, not after the end date, not the same date again', () => {
    expect(refusal(inStatus.confirmed, { type: 'execute', executionDate: '2026-05-31' })).toEqual({
      code: 'VALIDATION',
      message: 'Verkställighetsdatumet kan inte vara före beslutets startdatum (2026-06-01).',
    });
    expect(refusal(inStatus.confirmed, { type: 'execute', executionDate: '2026-06-16' })).toEqual({ code: 'VALIDATION', message: MESSAGES.executionInFuture });
    expect(refusal({ ...inStatus.confirmed, endDate: '2026-06-05' }, { type: 'execute', executionDate: '2026-06-06' })?.message).toMatch(/slutdatum \(2026-06-05\)/);
    expect(refusal(inStatus.executed, { type: 'execute', executionDate: '2026-06-02' })).toEqual({ code: 'CONFLICT', message: MESSAGES.sameExecutionDate });
    // The start date and today themselves are fine.
    expect(applyProviderAction(inStatus.confirmed, { type: 'execute', executionDate: '2026-06-01' }, ctx).ok).toBe(true);
    expect(applyProviderAction(inStatus.confirmed, { type: 'execute', executionDate: TODAY }, ctx).ok).toBe(true);
  });

  it('execute: a corrected date may not pass the start of the first pause', () => {
    const state = { ...inStatus.executed, pauses: [{ from: '2026-06-05', to: '2026-06-07', reason: 'Sjukhusvistelse' }] };
    expect(refusal(state, { type: 'execute', executionDate: '2026-06-06' })?.message).toMatch(/avbrottets början \(2026-06-05\)/);
  });

  it('pause: not before the execution date, not before the previous pause ended, not in the future', () => {
    expect(refusal(inStatus.executed, { type: 'pause', from: '2026-06-01', reason: 'x' })?.message).toMatch(/före verkställighetsdatumet \(2026-06-02\)/);
    const after = { ...inStatus.executed, pauses: [{ from: '2026-06-05', to: '2026-06-09', reason: 'x' }] };
    expect(refusal(after, { type: 'pause', from: '2026-06-08', reason: 'x' })?.message).toMatch(/förra avbrottets slut \(2026-06-09\)/);
    expect(refusal(inStatus.executed, { type: 'pause', from: '2026-06-16', reason: 'x' })).toEqual({ code: 'VALIDATION', message: MESSAGES.pauseInFuture });
  });

  it('resume: not before the pause began, not in the future', () => {
    expect(refusal(inStatus.paused, { type: 'resume', to: '2026-06-09' })?.message).toMatch(/avbrottets början \(2026-06-10\)/);
    expect(refusal(inStatus.paused, { type: 'resume', to: '2026-06-16' })).toEqual({ code: 'VALIDATION', message: MESSAGES.resumeInFuture });
  });

  it('end: not before the execution date, nor before an open pause began, nor in the future (an end is not scheduled)', () => {
    const end = (endDate: string) => ({ type: 'end', endDate, reason: 'Flyttat.' }) as const;
    expect(refusal(inStatus.executed, end('2026-06-01'))?.message).toMatch(/före verkställighetsdatumet/);
    expect(refusal(inStatus.paused, end('2026-06-09'))?.message).toMatch(/pågående avbrottets början/);
    expect(refusal(inStatus.executed, end('2026-06-16'))).toEqual({ code: 'VALIDATION', message: MESSAGES.endInFuture });
    expect(applyProviderAction(inStatus.executed, end(TODAY), ctx).ok).toBe(true);
  });

  it('the officer’s end: not in the future either; a later end date is a change and ends nothing', () => {
    expect(applyOfficerAction(inStatus.executed, { type: 'end', endDate: '2026-06-16' }, ctx)).toEqual({ ok: false, code: 'VALIDATION', message: MESSAGES.officerEndInFuture });
    const later = applyOfficerAction(inStatus.executed, { type: 'change', endDate: '2026-07-31' }, ctx);
    expect(later.ok && [later.state.status, later.state.endDate]).toEqual(['executed', '2026-07-31']);
  });

  it('absence only for special housing, presence only for short-term stays; neither for home care', () => {
    const housing = { ...inStatus.executed, serviceKind: 'sarskilt_boende' as const };
    const homeCare = { ...inStatus.executed, serviceKind: 'hemtjanst' as const };
    expect(applyProviderAction(housing, { type: 'register_absence', from: '2026-06-03', to: '2026-06-04' }, ctx).ok).toBe(true);
    expect(refusal(housing, { type: 'register_presence', from: '2026-06-03', to: '2026-06-04' })).toEqual({
      code: 'CONFLICT',
      message: 'Närvaro registreras bara för korttidsvistelse. Uppdraget gäller särskilt boende.',
    });
    expect(refusal(homeCare, { type: 'register_absence', from: '2026-06-03', to: '2026-06-04' })?.message).toBe(
      'Frånvaro registreras bara för särskilt boende. Uppdraget gäller hemtjänst.',
    );
    expect(refusal(homeCare, { type: 'register_presence', from: '2026-06-03', to: '2026-06-04' })?.code).toBe('CONFLICT');
    expect(providerActionsAllowed('executed', 'hemtjanst')).not.toContain('register_absence');
    expect(providerActionsAllowed('executed', 'hemtjanst')).not.toContain('register_presence');
    expect(providerActionsAllowed('paused', 'sarskilt_boende')).toContain('register_absence');
  });

  it('absence and presence: a real period, after the execution date, within the end date, no overlap', () => {
    const housing = { ...inStatus.executed, serviceKind: 'sarskilt_boende' as const };
    expect(refusal(housing, { type: 'register_absence', from: '2026-06-05', to: '2026-06-04' })).toEqual({ code: 'VALIDATION', message: MESSAGES.periodReversed });
    expect(refusal(housing, { type: 'register_absence', from: '2026-06-01', to: '2026-06-04' })?.message).toMatch(/före verkställighetsdatumet/);
    expect(refusal({ ...inStatus.executed, endDate: '2026-06-10' }, { type: 'register_presence', from: '2026-06-09', to: '2026-06-11' })?.message).toMatch(/slutdatum/);
    const one = applyProviderAction(housing, { type: 'register_absence', from: '2026-06-03', to: '2026-06-05' }, ctx);
    const state = one.ok ? one.state : base;
    expect(refusal(state, { type: 'register_absence', from: '2026-06-05', to: '2026-06-06' })?.message).toBe('Perioden överlappar en redan registrerad frånvaro (2026-06-03–2026-06-05).');
  });
});

describe('assignment state machine: the case officer’s actions', () => {
  const officerActions: OfficerAction[] = [
    { type: 'change', freeText: 'Ny fritext' },
    { type: 'cancel', reason: 'Brukaren har flyttat.' },
    { type: 'end', endDate: '2026-06-14' },
  ];
  const expectedOfficer: Record<AssignmentStatus, Record<OfficerAction['type'], AssignmentStatus | string>> = {
    new: { change: 'new', cancel: 'cancellation_requested', end: MESSAGES.officerEndNotExecuted },
    confirmed: { change: 'confirmed', cancel: 'cancellation_requested', end: MESSAGES.officerEndNotExecuted },
    executed: { change: 'executed', cancel: 'cancellation_requested', end: 'ended' },
    paused: { change: 'paused', cancel: 'cancellation_requested', end: 'ended' },
    cancellation_requested: { change: MESSAGES.officerChangeCancelled, cancel: MESSAGES.officerCancelDone, end: MESSAGES.cancelled },
    cancelled: { change: MESSAGES.officerChangeCancelled, cancel: MESSAGES.cancelled, end: MESSAGES.cancelled },
    ended: { change: MESSAGES.officerChangeEnded, cancel: MESSAGES.ended, end: MESSAGES.ended },
  };
  for (const status of AssignmentStatus.options) {
    for (const action of officerActions) {
      const want = expectedOfficer[status][action.type];
      const isStatus = (AssignmentStatus.options as readonly string[]).includes(want);
      it(`${status} × officer ${action.type}: ${isStatus ? `→ ${want}` : 'refused'}`, () => {
        const o = applyOfficerAction(inStatus[status], action, ctx);
        if (isStatus) expect(o.ok && o.state.status).toBe(want);
        else expect(o).toEqual({ ok: false, code: 'CONFLICT', message: want });
      });
    }
  }

  it('change records what changed and what it was; nothing new is refused; dates stay coherent', () => {
    const o = applyOfficerAction(inStatus.executed, { type: 'change', services: [{ name: 'Hemtjänst', grantedHours: 30, per: 'month' }] }, ctx);
    expect(o.ok && o.details).toEqual({
      changed: { services: [{ name: 'Hemtjänst', grantedHours: 30, per: 'month' }] },
      previous: { services: [{ name: 'Hemtjänst', grantedHours: 20, per: 'month' }] },
    });
    expect(applyOfficerAction(inStatus.new, { type: 'change', freeText: '' }, ctx)).toEqual({ ok: false, code: 'VALIDATION', message: MESSAGES.officerNothingChanged });
    expect(applyOfficerAction(inStatus.new, { type: 'change', endDate: '2026-05-01' }, ctx)).toEqual({ ok: false, code: 'VALIDATION', message: MESSAGES.endBeforeStart });
    const late = applyOfficerAction(inStatus.executed, { type: 'change', startDate: '2026-06-03' }, ctx);
    expect(late.ok ? null : late.message).toMatch(/efter verkställighetsdatumet \(2026-06-02\)/);
  });

  it('cancel records the reason and the status it came from', () => {
    const o = applyOfficerAction(inStatus.executed, { type: 'cancel', reason: 'Flyttat.' }, ctx);
    expect(o.ok && o.state.cancellation).toEqual({ requestedAt: '2026-06-15T10:00:00.000Z', reason: 'Flyttat.', confirmedAt: null });
    expect(o.ok && o.details).toEqual({ reason: 'Flyttat.', previousStatus: 'executed' });
  });
});
