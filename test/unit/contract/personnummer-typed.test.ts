import { describe, expect, it } from 'vitest';
import { LogSearch, personnummerProblem } from '#contract';

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
