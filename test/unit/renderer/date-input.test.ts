import { describe, expect, it } from 'vitest';
import { dateProblem, formatDate, normaliseDate, parseDate } from '../../../renderer/src/components/date-input';
import { sv } from '../../../renderer/src/i18n/sv';

describe('a date typed as a Swedish user writes it (DateField)', () => {
  it('reads ÅÅÅÅ-MM-DD, and eight digits as the same', () => {
    expect(normaliseDate(' 20261224 ')).toBe('2026-12-24');
    expect(normaliseDate('2026-12-24')).toBe('2026-12-24');
    expect(formatDate(parseDate('2026-12-24')!)).toBe('2026-12-24');
  });

  it('finds what is wrong, in words a user can act on', () => {
    expect(dateProblem('', { required: true })).toEqual({ kind: 'required' });
    expect(dateProblem('', {})).toBeNull();
    expect(dateProblem('12/24/2026', {})).toEqual({ kind: 'format' });
    expect(dateProblem('2026-02-30', {})).toEqual({ kind: 'noSuchDay', value: '2026-02-30' });
    expect(dateProblem('2028-02-29', {})).toBeNull(); // a leap day
    expect(dateProblem('2026-12-24', { max: '2026-12-02' })).toEqual({ kind: 'afterMax', max: '2026-12-02' });
    expect(dateProblem('2026-11-01', { min: '2026-11-02' })).toEqual({ kind: 'beforeMin', min: '2026-11-02' });
  });

  it('has a Swedish message for every problem', () => {
    for (const kind of ['required', 'format', 'noSuchDay', 'beforeMin', 'afterMax'] as const) expect(sv.dateField[kind]).toMatch(/[a-zåäö]/i);
  });
});
