import { swedishLocalDateTime, type LogRow } from '#contract';

export interface TimelineHour {
  /** "14" for 14:00–14:59, Swedish time. */
  hour: string;
  rows: LogRow[];
}
export interface TimelineDay {
  /** YYYY-MM-DD, Swedish calendar. */
  day: string;
  count: number;
  hours: TimelineHour[];
}

/**
 * Search rows on a time axis: per Swedish calendar day, then per hour of that day, in the order
 * newest first (a sample comes in no order), so the axis runs from now backwards.
 */
export function timeline(rows: readonly LogRow[]): TimelineDay[] {
  const days: TimelineDay[] = [];
  for (const row of [...rows].sort((a, b) => Date.parse(b.at) - Date.parse(a.at))) {
    const local = swedishLocalDateTime(new Date(row.at));
    const day = local.slice(0, 10);
    const hour = local.slice(11, 13);
    let d = days.at(-1);
    if (d?.day !== day) days.push((d = { day, count: 0, hours: [] }));
    let h = d.hours.at(-1);
    if (h?.hour !== hour) d.hours.push((h = { hour, rows: [] }));
    h.rows.push(row);
    d.count++;
  }
  return days;
}
