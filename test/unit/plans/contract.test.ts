import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { diffPlanContent, emptyPlanContent, LIFE_AREA_LABELS_SV, planDates, planDue, PlanContent, PlanWork, setProblem, type PlanRecord } from '#contract';

/** The implementation plan's pure rules in the contract (docs/plans.md). */
const goal = (text: string) => ({ id: randomUUID(), text });
const activity = { id: randomUUID(), lifeArea: 'self_care' as const, what: 'Stöd vid dusch', who: 'Undersköterska', how: '', when: 'Tisdagar', ksiCode: 'PMB.AA' };

describe('implementation plan rules', () => {
  it('a plan can be set only with a goal in a life area and an activity', () => {
    const c = emptyPlanContent();
    expect(setProblem(c)).toMatch(/minst ett livsområde med mål och minst en aktivitet/);
    expect(setProblem({ ...c, areas: [{ lifeArea: 'self_care', needs: '', goals: [goal('Duscha tryggt')] }] })).not.toBeNull();
    expect(setProblem({ ...c, areas: [{ lifeArea: 'self_care', needs: '', goals: [goal('Duscha tryggt')] }], activities: [activity] })).toBeNull();
  });

  it('saved content is strict (written goals, a well-formed KSI code, each life area once); the working copy takes what is typed so far', () => {
    const typing = { ...emptyPlanContent(), areas: [{ lifeArea: 'self_care' as const, needs: '', goals: [goal('')] }], activities: [{ ...activity, what: '', who: '', ksiCode: 'pm' }] };
    expect(PlanContent.safeParse(typing).success).toBe(false);
    expect(PlanWork.safeParse({ clientId: randomUUID(), planId: randomUUID(), baseRevision: 0, basedOnVersionId: null, content: typing }).success).toBe(true);
    const twice = { ...emptyPlanContent(), areas: [{ lifeArea: 'self_care' as const, needs: '', goals: [] }, { lifeArea: 'self_care' as const, needs: '', goals: [] }] };
    expect(PlanContent.safeParse(twice).error?.issues[0]?.message).toBe('Ett livsområde får bara finnas en gång.');
    expect(PlanContent.safeParse({ ...emptyPlanContent(), activities: [{ ...activity, ksiCode: 'pmb aa' }] }).error?.issues[0]?.message).toMatch(/KSI-koden/);
  });

  it('the yearly revision falls a year after the current version was set (29 February → 28 February); a planned follow-up is due until one is recorded', () => {
    expect(planDates.addYear('2025-03-14')).toBe('2026-03-14');
    expect(planDates.addYear('2024-02-29')).toBe('2025-02-28');
    const v = (id: string, setOn: string, followUpDate: string | null) => ({ id, setOn, content: { ...emptyPlanContent(), followUp: { date: followUpDate, how: '' } } });
    const plan = { versions: [v('a', '2024-05-01', '2024-08-01'), v('b', '2025-06-01', '2025-09-01')], followUps: [] } as unknown as Pick<PlanRecord, 'versions' | 'followUps'>;
    expect(planDue(plan)).toEqual({ revision: '2026-06-01', followUp: '2025-09-01' });
    expect(planDue({ ...plan, followUps: [{ versionId: 'b' }] } as unknown as typeof plan)).toEqual({ revision: '2026-06-01', followUp: null });
    expect(planDue({ versions: [], followUps: [] })).toEqual({ revision: null, followUp: null });
  });

  it('the difference view names what was added, removed and changed, section by section', () => {
    const kept = goal('Duscha tryggt');
    const before: PlanContent = { ...emptyPlanContent(), clientGoals: 'Bo kvar hemma', areas: [{ lifeArea: 'self_care', needs: 'Dusch', goals: [kept] }], activities: [activity] };
    const after: PlanContent = {
      ...before,
      clientGoals: 'Bo kvar hemma och träffa vänner',
      areas: [{ lifeArea: 'self_care', needs: 'Dusch', goals: [{ ...kept, text: 'Duscha med mindre stöd' }] }, { lifeArea: 'domestic_life', needs: '', goals: [goal('Handla själv')] }],
      activities: [],
    };
    const lines = diffPlanContent(before, after, (a) => LIFE_AREA_LABELS_SV[a]);
    expect(lines).toEqual([
      { section: 'Brukarens egna mål', change: 'changed', before: 'Bo kvar hemma', after: 'Bo kvar hemma och träffa vänner' },
      { section: 'Personlig vård: mål', change: 'changed', before: 'Duscha tryggt', after: 'Duscha med mindre stöd' },
      { section: 'Hemliv', change: 'added', before: null, after: 'Livsområdet lades till' },
      { section: 'Hemliv: mål', change: 'added', before: null, after: 'Handla själv' },
      { section: 'Aktivitet (Personlig vård)', change: 'removed', before: 'Stöd vid dusch — Undersköterska, Tisdagar (KSI PMB.AA)', after: null },
    ]);
    expect(diffPlanContent(before, before, (a) => a)).toEqual([]);
  });
});
