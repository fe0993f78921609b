const DAY = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', weekday: 'long', day: 'numeric', month: 'long' });
const TIME = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', hour: '2-digit', minute: '2-digit' });
const time = (d: Date) => TIME.format(d).replace(':', '.');

/** An outage window as Swedish text: "söndag 13 december 08.00–15.00" (two days: both named). */
export function outageWindow(start: string, end: string): string {
  const s = new Date(start);
  const e = new Date(end);
  const sameDay = DAY.format(s) === DAY.format(e);
  return sameDay ? `${DAY.format(s)} ${time(s)}–${time(e)}` : `${DAY.format(s)} ${time(s)} – ${DAY.format(e)} ${time(e)}`;
}
