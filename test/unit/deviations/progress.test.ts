/**
 * The handling's order and due days (contract/deviations.ts: stepProblem, deviationProgress), which
 * the server enforces and the manager's screen follows: received first, then investigation,
 * measures and a decision; IVO only for a serious case, within two weeks of the report; closing
 * only when everything required is there; nothing after closing.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deviationProgress, stepProblem, type DeviationStepInput } from '#contract';

const received: DeviationStepInput = { id: randomUUID(), kind: 'received' };
const investigation: DeviationStepInput = { id: randomUUID(), kind: 'investigation', facts: 'Schemat saknade besöket.', clientView: '', causes: '' };
const measure: DeviationStepInput = { id: randomUUID(), kind: 'measure', what: 'Kontroll av schemat.', responsible: 'Planeraren', dueDate: '2026-12-05' };
const done: DeviationStepInput = { id: randomUUID(), kind: 'measure_done', measureId: measure.id, doneOn: '2026-12-04' };
const decision = (d: 'none' | 'serious' | 'serious_risk' | 'risk'): DeviationStepInput => ({ id: randomUUID(), kind: 'decision', decision: d, reasoning: 'Motiverat.' });
const ivo: DeviationStepInput = { id: randomUUID(), kind: 'ivo_report', reportedOn: '2026-12-10', reference: '3.5.1-1/2026' };
const closed: DeviationStepInput = { id: randomUUID(), kind: 'closed', summary: '' };

describe('the order of the handling', () => {
  it('starts with received; investigation, measures and the decision need what comes before them', () => {
    expect(stepProblem([], investigation)).toBe('Steget kan inte antecknas nu: ta emot avvikelsen först.');
    expect(stepProblem([], received)).toBeNull();
    expect(stepProblem([received], { ...received, id: randomUUID() })).toMatch(/redan mottagen/);
    expect(stepProblem([received], measure)).toMatch(/utred först/);
    expect(stepProblem([received], decision('none'))).toMatch(/utred först/);
    expect(stepProblem([received, investigation], measure)).toBeNull();
    expect(stepProblem([received, investigation, decision('none')], decision('risk'))).toMatch(/redan bedömd/);
  });

  it('takes a report to IVO only after a serious decision, once', () => {
    expect(stepProblem([received, investigation, decision('risk')], ivo)).toMatch(/bara ett allvarligt missförhållande/);
    expect(stepProblem([received, investigation, decision('serious_risk')], ivo)).toBeNull();
    expect(stepProblem([received, investigation, decision('serious'), ivo], { ...ivo, id: randomUUID() })).toMatch(/redan antecknad/);
  });

  it('closes only with a decision, the IVO report when required and every measure done; then nothing more', () => {
    expect(stepProblem([received, investigation], closed)).toMatch(/bedöm avvikelsen först/);
    expect(stepProblem([received, investigation, decision('serious')], closed)).toMatch(/anmälan till IVO först/);
    expect(stepProblem([received, investigation, measure, decision('none')], closed)).toMatch(/alla åtgärder är inte genomförda/);
    expect(stepProblem([received, investigation, measure, done, decision('none')], closed)).toBeNull();
    expect(stepProblem([received, investigation, decision('none'), closed], investigation)).toBe('Avvikelsen är avslutad: inget kan läggas till.');
  });

  it('marks a measure done once, and only one that exists', () => {
    expect(stepProblem([received, investigation], done)).toMatch(/åtgärden finns inte/);
    expect(stepProblem([received, investigation, measure, done], { ...done, id: randomUUID() })).toMatch(/redan genomförd/);
  });

  it('refuses a step id already written', () => {
    expect(stepProblem([received, investigation], { ...investigation })).toBe('Det finns redan ett annat steg med samma id.');
  });
});

describe('the next step and its due day, from the report’s day', () => {
  it('received within a day, investigated within seven, decided within fourteen', () => {
    expect(deviationProgress('2026-12-01', [])).toEqual({ status: 'reported', decision: null, next: 'received', due: '2026-12-02', ivoDue: null });
    expect(deviationProgress('2026-12-01', [received])).toMatchObject({ status: 'received', next: 'investigation', due: '2026-12-08' });
    expect(deviationProgress('2026-12-01', [received, investigation])).toMatchObject({ status: 'investigating', next: 'decision', due: '2026-12-15' });
  });

  it('an open measure due earlier comes first', () => {
    expect(deviationProgress('2026-12-01', [received, investigation, measure])).toMatchObject({ next: 'measure_done', due: '2026-12-05' });
  });

  it('a serious case is due at IVO two weeks after the report, and the countdown ends with the report', () => {
    expect(deviationProgress('2026-12-01', [received, investigation, decision('serious')])).toMatchObject({ status: 'decided', decision: 'serious', next: 'ivo_report', due: '2026-12-15', ivoDue: '2026-12-15' });
    expect(deviationProgress('2026-12-01', [received, investigation, decision('serious'), ivo])).toMatchObject({ next: 'closed', due: '2026-12-31', ivoDue: null });
    expect(deviationProgress('2026-12-01', [received, investigation, decision('risk')]).ivoDue).toBeNull();
  });

  it('a closed case has no next step', () => {
    expect(deviationProgress('2026-12-01', [received, investigation, decision('none'), closed])).toEqual({ status: 'closed', decision: 'none', next: null, due: null, ivoDue: null });
  });
});
