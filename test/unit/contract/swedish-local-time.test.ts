import { describe, expect, it } from 'vitest';
import { fromSwedishLocalDateTime, SwedishLocalDateTime, swedishLocalDateTime } from '#contract';

/** A `datetime-local` value means Swedish wall-clock time, whatever zone the workstation runs in. */
describe('Swedish wall-clock date-times', () => {
  it('winter time is UTC+1 and summer time UTC+2', () => {
    expect(fromSwedishLocalDateTime('2026-12-01T14:05').toISOString()).toBe('2026-12-01T13:05:00.000Z');
    expect(fromSwedishLocalDateTime('2026-07-01T14:05').toISOString()).toBe('2026-07-01T12:05:00.000Z');
  });

  it('round-trips every quarter hour across both changes of 2026', () => {
    for (let t = Date.UTC(2026, 2, 28); t < Date.UTC(2026, 2, 30); t += 15 * 60_000) {
      expect(fromSwedishLocalDateTime(swedishLocalDateTime(new Date(t))).getTime()).toBe(t);
    }
    // The repeated hour in October: the first of the two instants (the summer-time one).
    expect(fromSwedishLocalDateTime('2026-10-25T02:30').toISOString()).toBe('2026-10-25T00:30:00.000Z');
    for (let t = Date.UTC(2026, 9, 25, 2); t < Date.UTC(2026, 9, 26); t += 15 * 60_000) {
      expect(fromSwedishLocalDateTime(swedishLocalDateTime(new Date(t))).getTime()).toBe(t);
    }
  });

  it('the hour skipped in March is taken an hour later', () => {
    expect(swedishLocalDateTime(fromSwedishLocalDateTime('2026-03-29T02:30'))).toBe('2026-03-29T03:30');
  });

  it('the schema refuses what is no real time, in Swedish', () => {
    for (const bad of ['2026-02-30T10:00', '2026-01-01T24:00', '2026-01-01T10:60', '1899-12-31T23:59', '2026-01-01 10:00', '2026-01-01T10:00:00']) {
      const r = SwedishLocalDateTime.safeParse(bad);
      expect(r.success, bad).toBe(false);
      expect(r.error!.issues[0]!.message).toMatch(/Ange datum|finns inte/);
    }
    expect(SwedishLocalDateTime.parse('2026-12-02T09:15')).toBe('2026-12-02T09:15');
  });
});
