import { describe, expect, it } from 'vitest';
import type { LogRow } from '#contract';
import { timeline } from '../../../renderer/src/screens/admin/timeline';

const row = (id: string, at: string): LogRow => ({ id, at, action: 'read', outcome: 'success', errorCode: null, actorHsaId: null, actorName: null, client: null, unitName: null, recordType: null, workstation: null });

describe('the access log on a time axis', () => {
  it('groups by Swedish day and hour, newest first, whatever order the rows came in', () => {
    const days = timeline([
      row('1', '2026-11-30T22:59:00Z'), // 23:59 in Sweden, 30 Nov
      row('3', '2026-11-30T23:10:00Z'), // 00:10 on 1 Dec in Sweden
      row('2', '2026-11-30T22:30:00Z'),
      row('4', '2026-12-01T13:05:00Z'),
    ]);
    expect(days.map((d) => [d.day, d.count, d.hours.map((h) => [h.hour, h.rows.map((r) => r.id)])])).toEqual([
      ['2026-12-01', 2, [['14', ['4']], ['00', ['3']]]],
      ['2026-11-30', 2, [['23', ['1', '2']]]],
    ]);
  });
  it('no rows, no days', () => {
    expect(timeline([])).toEqual([]);
  });
});
