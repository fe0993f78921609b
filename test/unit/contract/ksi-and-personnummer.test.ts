import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { emptyPlanContent, KSI_CODES, ksiLabel, LogSearch, Mutation, personnummerProblem, PlanContent, PlanContentToSave } from '#contract';

const activity = (ksiCode: string | null) => ({ id: randomUUID(), lifeArea: 'self_care' as const, what: 'Stöd vid dusch', who: 'Undersköterska', how: '', when: 'Tisdagar', ksiCode });
const content = (ksiCode: string | null) => ({ ...emptyPlanContent(), activities: [activity(ksiCode)] });

describe('KSI codes are picked from the KSI list', () => {
  it('a saved draft takes a code of the list or none; any other code is refused in Swedish, naming the activity', () => {
    expect(KSI_CODES.length).toBeGreaterThan(0);
    for (const k of KSI_CODES) expect(PlanContentToSave.safeParse(content(k.code)).success, k.code).toBe(true);
    expect(PlanContentToSave.safeParse(content(null)).success).toBe(true);
    const refused = PlanContentToSave.safeParse(content('XYZ-NONSENSE'));
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]).toMatchObject({ path: ['activities', 0, 'ksiCode'], message: expect.stringMatching(/KSI-koden XYZ-NONSENSE \(aktivitet 1\) finns inte i KSI-listan/) });
  });

  it('the server’s push schema refuses it too (plan.save_draft), while a version already set keeps the code it had', () => {
    const push = (code: string) =>
      Mutation.safeParse({
        mutationId: randomUUID(),
        createdAt: new Date().toISOString(),
        type: 'plan.save_draft',
        record: { id: randomUUID(), clientId: randomUUID(), baseRevision: 0, basedOnVersionId: null, content: content(code) },
      });
    expect(push('XYZ-NONSENSE').success).toBe(false);
    expect(push(KSI_CODES[0]!.code).success).toBe(true);
    // The record schema (what the server sends back) stays format-only: old plans still sync.
    expect(PlanContent.safeParse(content('ABC.DE')).success).toBe(true);
  });

  it('labels a code with its Swedish title; a code outside the list as it is', () => {
    expect(ksiLabel(KSI_CODES[0]!.code)).toBe(`${KSI_CODES[0]!.code} – ${KSI_CODES[0]!.title}`);
    expect(ksiLabel('ABC.DE')).toBe('ABC.DE');
  });
});

describe('a personnummer as typed: what is wrong with it, in Swedish', () => {
  it.each([
    ['19121212-1212', null],
    ['191212121212', null],
    ['Tolvan Tolvansson', /Sökning på namn finns inte här/],
    ['121212-1212', /10 siffror: skriv det med århundradet/],
    ['1212121212', /10 siffror/],
    ['19121212-121', /12 siffror .* har 11/],
    ['19121312-1212', /inte med ett datum som finns \(1912-13-12\)/],
    ['19121212-1213', /Kontrollsiffran .* stämmer inte/],
    ['1912*212-1212', /bara innehålla siffror/],
  ])('%s', (typed, says) => {
    const problem = personnummerProblem(typed);
    if (says === null) expect(problem).toBeNull();
    else expect(problem).toMatch(says);
  });

  it('the access-log search refuses a wrong check digit with that message, and a name in the user field with its own', () => {
    expect(LogSearch.safeParse({ personnummer: '19121212-1213' }).error?.issues[0]).toMatchObject({ path: ['personnummer'], message: expect.stringMatching(/Kontrollsiffran/) });
    expect(LogSearch.safeParse({ actorHsaId: 'Anna Lindqvist' }).error?.issues[0]?.message).toMatch(/Sökning på namn finns inte här/);
    expect(LogSearch.parse({ personnummer: '19121212-1212' }).personnummer).toBe('191212121212');
  });
});
