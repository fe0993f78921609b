/**
 * The 48-hour countdown as the screen shows it: whole hours and minutes to the deadline, or since
 * it passed. `now` is the workstation's clock corrected by the server's (the list carries the
 * server's time), so a wrong PC clock does not hide an overdue incident.
 */
export function countdown(deadlineAt: string, now: number): { overdue: boolean; text: string } {
  const ms = Date.parse(deadlineAt) - now;
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return { overdue: ms < 0, text: h > 0 ? `${h} h ${m} min` : `${m} min` };
}
