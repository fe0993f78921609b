import { describe, expect, it } from 'vitest';
import { nextSwedishMidnight, swedishDate } from '#contract';

describe('nextSwedishMidnight: when permissions granted by the day begin and end', () => {
  it('is the next 00:00 in Sweden, winter (UTC+1) and summer (UTC+2) time', () => {
    expect(nextSwedishMidnight(new Date('2026-01-15T12:00:00Z')).toISOString()).toBe('2026-01-15T23:00:00.000Z');
    expect(nextSwedishMidnight(new Date('2026-07-15T12:00:00Z')).toISOString()).toBe('2026-07-15T22:00:00.000Z');
  });

  it('across the change to and from daylight saving time (days of 23 and 25 hours)', () => {
    // Sunday 29 March 2026 02:00 becomes 03:00; Sunday 25 October 03:00 becomes 02:00.
    expect(nextSwedishMidnight(new Date('2026-03-28T23:00:00Z')).toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(nextSwedishMidnight(new Date('2026-10-24T22:00:00Z')).toISOString()).toBe('2026-10-25T23:00:00.000Z');
  });

  it('from exactly midnight it is the following one, and the instant before it is still the old day', () => {
    const m = nextSwedishMidnight(new Date('2026-05-04T22:00:00Z'));
    expect(m.toISOString()).toBe('2026-05-05T22:00:00.000Z');
    expect(swedishDate(new Date(m.getTime() - 1))).toBe('2026-05-05');
    expect(swedishDate(m)).toBe('2026-05-06');
  });
});
