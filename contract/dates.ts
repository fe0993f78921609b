/**
 * Dates as the care provider means them: the calendar day and the clock in Sweden
 * (Europe/Stockholm), whatever time zone the machine runs in. Permissions are granted by the day,
 * an execution date may not be after today, a journal entry's event date is a Swedish date.
 */
const SWEDISH_DAY = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit', day: '2-digit' });
const SWEDISH_DATE_TIME = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', dateStyle: 'short', timeStyle: 'short' });

const DAY_MS = 24 * 3600_000;

/** The calendar day in Sweden, YYYY-MM-DD, at `at` (default now), `offsetDays` days (of 24 h) later. */
export const swedishDate = (at: Date = new Date(), offsetDays = 0): string =>
  SWEDISH_DAY.format(offsetDays ? new Date(at.getTime() + offsetDays * DAY_MS) : at);

const SWEDISH_DATE_TIME_SECONDS = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', dateStyle: 'short', timeStyle: 'medium' });
/** Date and time in Sweden, to the second: "2026-12-01 14:05:09" (a log's exports, where the order within a minute matters). */
export const swedishDateTimeSeconds = (at: string | Date): string => SWEDISH_DATE_TIME_SECONDS.format(new Date(at));

/** Date and time in Sweden, to the minute: "2026-12-01 14:05". */
export const swedishDateTime = (at: string | Date): string => SWEDISH_DATE_TIME.format(new Date(at));

/**
 * The first instant after `at` that is another calendar day in Sweden (the next midnight in
 * Europe/Stockholm, daylight saving included), to the millisecond: when permissions, granted by
 * the day, begin and end.
 */
export function nextSwedishMidnight(at: Date): Date {
  const today = swedishDate(at);
  // A Swedish day lasts 23–25 hours: the change lies in (at, at + 25 h]; bisect to the millisecond.
  let lo = at.getTime();
  let hi = lo + 25 * 3600_000;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (swedishDate(new Date(mid)) === today) lo = mid;
    else hi = mid;
  }
  return new Date(hi);
}

const SWEDISH_PARTS = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Europe/Stockholm',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** The wall clock in Sweden at `at`, as a `datetime-local` input holds it: "2026-12-01T14:05". */
export function swedishLocalDateTime(at: Date): string {
  const p = Object.fromEntries(SWEDISH_PARTS.formatToParts(at).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/**
 * The instant of a Swedish wall-clock time "YYYY-MM-DDTHH:MM" (what a `datetime-local` input
 * gives, meant in Europe/Stockholm whatever zone the workstation runs in). In the hour skipped in
 * spring the time is taken an hour later; in the hour repeated in autumn, the first of the two.
 */
export function fromSwedishLocalDateTime(local: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m) throw new RangeError(`not a local date-time: ${local}`);
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  const offsetAt = (t: number) => {
    const shown = swedishLocalDateTime(new Date(t));
    const [d, hm] = shown.split('T') as [string, string];
    const [y, mo, da] = d.split('-').map(Number) as [number, number, number];
    const [h, mi] = hm.split(':').map(Number) as [number, number];
    return Date.UTC(y, mo - 1, da, h, mi) - t;
  };
  // Sweden is UTC+1 or UTC+2: try both offsets, keep the earliest instant that shows this wall time.
  for (const guess of [wall - 2 * 3600_000, wall - 3600_000]) {
    if (offsetAt(guess) === wall - guess) return new Date(guess);
  }
  // The hour skipped in spring: no instant shows it; winter's offset puts it an hour later.
  return new Date(wall - 3600_000);
}
