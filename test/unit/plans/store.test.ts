import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PLAN_MESSAGES, type Change, type LocalPlan, type Mutation, type PlanContent, type PlanDueItem, type PlanRecord } from '#contract';
import { openDatabase } from '../../../main/store/connection';
import { SqlStore } from '../../../main/store/sql-store';
import { assignmentUpsert, fakeAssignment } from '../../support/assignments';
import { author, client, tempDir, unit, upsert } from '../store/fixtures';

/** Implementation plans in the encrypted store (main/store/plans-sql.ts; docs/plans.md). */
const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function store(): SqlStore {
  const t = tempDir();
  const s = new SqlStore(openDatabase(path.join(t.dir, 'plans.db'), null));
  cleanups.push(() => {
    s.close();
    t.cleanup();
  });
  return s;
}

const TODAY = '2026-12-02';
const content = (goal = 'Duscha tryggt'): PlanContent => ({
  assignmentIds: [],
  clientGoals: 'Bo kvar hemma.',
  areas: [{ lifeArea: 'self_care', needs: '', goals: [{ id: randomUUID(), text: goal }] }],
  activities: [{ id: randomUUID(), lifeArea: 'self_care', what: 'Stöd vid dusch', who: 'Undersköterska', how: '', when: 'Tisdagar', ksiCode: null }],
  participation: '',
  othersPresent: [],
  cooperation: '',
  followUp: { date: null, how: '' },
});
/** A plan as the server sends it, set `setOn` (or never, with a draft). */
function planRecord(unitId: string, clientId: string, setOn: string | null, over: Partial<PlanRecord> = {}): PlanRecord {
  const at = '2026-01-01T10:00:00.000Z';
  return {
    id: randomUUID(),
    unitId,
    clientId,
    revision: setOn ? 2 : 1,
    createdAt: at,
    createdBy: author,
    draft: setOn ? null : { basedOnVersionId: null, content: content(), savedAt: at, savedBy: author },
    versions: setOn ? [{ id: randomUUID(), versionNo: 1, status: 'set', content: content(), setOn, setBy: author, setAt: at, replacedOn: null }] : [],
    followUps: [],
    consents: [],
    ...over,
  };
}
let seq = 1;
const planUpsert = (p: PlanRecord): Change => ({ seq: seq++, op: 'upsert', type: 'plan', id: p.id, unitId: p.unitId, record: p });
const m = (type: Mutation['type'], record: unknown): Mutation => ({ mutationId: randomUUID(), createdAt: '2026-12-02T09:00:00.000Z', type, record }) as Mutation;

describe('implementation plans in the store', () => {
  it('"Planer att följa upp": no plan after execution, yearly revision and follow-up due within 30 days, the most overdue first', () => {
    const s = store();
    const u = unit('Hemtjänst Majorna');
    const other = unit('Daglig verksamhet Hisingen');
    const [noPlan, revisionSoon, revisionLate, followUp, fine, draftOnly] = Array.from({ length: 6 }, () => client(u.unitId));
    const foreign = client(other.unitId);
    const executed = (c: typeof noPlan, executionDate: string, unitOf = u) =>
      assignmentUpsert(fakeAssignment(unitOf, 2, { status: 'executed', executionDate, clientId: c!.id, client: { id: c!.id, personnummer: c!.personnummer, givenName: c!.givenName, familyName: c!.familyName } }));
    s.applyPull({
      units: [u, other],
      changes: [
        ...[noPlan, revisionSoon, revisionLate, followUp, fine, draftOnly, foreign].map((c) => upsert('client', c!)),
        executed(noPlan, '2026-11-01'), // + 14 days: 2026-11-15, 17 days overdue
        executed(draftOnly, '2026-12-20'), // + 14: 2027-01-03, in 32 days: not yet listed
        executed(foreign, '2026-01-01', other),
        executed(fine, '2026-01-01'),
        planUpsert(planRecord(u.unitId, revisionSoon!.id, '2025-12-20')), // revision 2026-12-20: in 18 days
        planUpsert(planRecord(u.unitId, revisionLate!.id, '2025-10-01')), // revision 2026-10-01: 62 days overdue
        planUpsert(planRecord(u.unitId, fine!.id, '2026-06-01')),
        planUpsert(planRecord(u.unitId, draftOnly!.id, null)),
      ],
      cursors: {},
    });
    const withFollowUp = planRecord(u.unitId, followUp!.id, '2026-09-01');
    withFollowUp.versions[0]!.content.followUp.date = '2026-11-30';
    s.applyPull({ units: [u, other], changes: [planUpsert(withFollowUp)], cursors: {} });

    const due = s.read('plan', 'due', { unitId: u.unitId, today: TODAY, limit: 100 }) as PlanDueItem[];
    expect(due.map((d) => [d.clientId, d.reason, d.dueDate, d.daysOverdue])).toEqual([
      [revisionLate!.id, 'revision', '2026-10-01', 62],
      [noPlan!.id, 'no_plan', '2026-11-15', 17],
      [followUp!.id, 'follow_up', '2026-11-30', 2],
      [revisionSoon!.id, 'revision', '2026-12-20', -18],
    ]);
    expect(due[0]!.clientName).toBe(`${revisionLate!.givenName} ${revisionLate!.familyName}`);
    expect(s.read('plan', 'due', { unitId: randomUUID(), today: TODAY, limit: 100 })).toEqual([]);
  });

  it('a queued set shows at once ("Ej skickat"), survives a pull of the older record, and a refusal shows the server’s plan again', () => {
    const s = store();
    const u = unit('Hemtjänst Majorna');
    const c = client(u.unitId);
    const p = planRecord(u.unitId, c.id, null);
    s.applyPull({ units: [u], changes: [upsert('client', c), planUpsert(p)], cursors: {} });
    const set = m('plan.set', { id: p.id, revision: 1, versionId: randomUUID(), setOn: TODAY });
    s.enqueue(set, author);
    const local = () => s.read('plan', 'get', p.id) as LocalPlan;
    expect(local()).toMatchObject({ pending: 1, revision: 2, draft: null, versions: [{ versionNo: 1, status: 'set', setOn: TODAY, setBy: author }] });
    // Someone else's consent arrives before the server has the set: both show.
    const withConsent: PlanRecord = { ...p, consents: [{ id: randomUUID(), status: 'given', date: TODAY, how: 'oral', givenBy: 'client', representative: '', note: '', recordedBy: author, recordedAt: p.createdAt }] };
    s.applyPull({ units: [u], changes: [planUpsert(withConsent)], cursors: {} });
    expect(local()).toMatchObject({ pending: 1, versions: [{ versionNo: 1 }], consents: [{ status: 'given' }] });
    expect(s.record('plan', p.id)).toEqual(withConsent);
    s.refuse(set.mutationId, { code: 'CONFLICT', message: PLAN_MESSAGES.staleDraft });
    expect(local()).toMatchObject({ pending: 0, versions: [], draft: { content: p.draft!.content } });
    expect(s.refusals().map((r) => r.code)).toEqual(['CONFLICT']);
  });

  it('refuses locally what the server would: a stale base, setting without a draft or without goals and activities', () => {
    const s = store();
    const u = unit('Hemtjänst Majorna');
    const c = client(u.unitId);
    const p = planRecord(u.unitId, c.id, null, { draft: { basedOnVersionId: null, content: { ...content(), activities: [] }, savedAt: '2026-01-01T10:00:00.000Z', savedBy: author } });
    s.applyPull({ units: [u], changes: [upsert('client', c), planUpsert(p)], cursors: {} });
    const stale = m('plan.save_draft', { id: p.id, clientId: c.id, baseRevision: 7, basedOnVersionId: null, content: content() });
    expect(() => s.enqueue(stale, author)).toThrow(PLAN_MESSAGES.staleDraft);
    expect(() => s.enqueue(m('plan.set', { id: p.id, revision: 1, versionId: randomUUID(), setOn: TODAY }), author)).toThrow(PLAN_MESSAGES.notSettable);
    // A new plan offline: its own row, only local until pushed; a refusal removes it.
    const fresh = m('plan.save_draft', { id: randomUUID(), clientId: c.id, baseRevision: 0, basedOnVersionId: null, content: content() });
    s.enqueue(fresh, author);
    expect((s.read('plan', 'list', c.id) as LocalPlan[]).map((x) => x.pending)).toEqual([0, 1]);
    expect(s.record('plan', fresh.record.id)).toBeNull();
    s.refuse(fresh.mutationId, { code: 'FORBIDDEN', message: 'x' });
    expect(s.read('plan', 'list', c.id) as LocalPlan[]).toHaveLength(1);
    expect(s.outboxCount()).toBe(0);
  });
});
