import type { PlanRecord } from './plans';

/** A plan's dates: when it must be set, revised and followed up (docs/plans.md). */
/** Days a client may go without a set plan after the assignment was executed (docs/plans.md). */
export const PLAN_AFTER_EXECUTION_DAYS = 14;
/** A plan is revised at least once a year; it shows in the due list this many days before. */
export const REVISION_WARNING_DAYS = 30;

const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
export const addYear = (date: string) => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  // 29 February + 1 year → 28 February.
  const next = new Date(Date.UTC(y + 1, m - 1, d));
  return (next.getUTCMonth() === m - 1 ? next : new Date(Date.UTC(y + 1, m, 0))).toISOString().slice(0, 10);
};
export const planDates = { addDays, addYear };

/** When the current version must be revised (a year after it was set), and when its follow-up is due (null: none planned or done). */
export function planDue(p: Pick<PlanRecord, 'versions' | 'followUps'>): { revision: string | null; followUp: string | null } {
  const v = p.versions.at(-1);
  if (!v) return { revision: null, followUp: null };
  const followed = p.followUps.some((f) => f.versionId === v.id);
  return { revision: addYear(v.setOn), followUp: !followed && v.content.followUp.date ? v.content.followUp.date : null };
}
