import { describe, expect, it } from 'vitest';
import { countdown } from '../../../renderer/src/screens/incidents/countdown';

describe('the 48-hour countdown', () => {
  const deadline = '2026-12-03T12:00:00.000Z';
  it('counts hours and minutes left', () => {
    expect(countdown(deadline, Date.parse('2026-12-01T12:00:00Z'))).toEqual({ overdue: false, text: '48 h 0 min' });
    expect(countdown(deadline, Date.parse('2026-12-03T11:20:30Z'))).toEqual({ overdue: false, text: '39 min' });
  });
  it('says how long ago the deadline passed', () => {
    expect(countdown(deadline, Date.parse('2026-12-03T14:05:00Z'))).toEqual({ overdue: true, text: '2 h 5 min' });
  });
});
