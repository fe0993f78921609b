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
