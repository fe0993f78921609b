import type { TFunction } from 'i18next';
import { swedishDateTime, type SupportWorkstation } from '#contract';

/** A queue older than this is a problem: the workstation has not reached the server for an hour. */
const QUEUE_STALE_MS = 60 * 60_000;
/** A workstation that has not reported for a day is a problem (or simply switched off). */
const REPORT_STALE_MS = 24 * 60 * 60_000;

/** "för 5 min sedan", by the server's clock (the colleague's workstation may be off). */
export function ago(t: TFunction, at: string, now: string): string {
  const ms = Math.max(0, Date.parse(now) - Date.parse(at));
  const min = Math.floor(ms / 60_000);
  if (min < 1) return t('support.ago.now');
  if (min < 60) return t('support.ago.minutes', { count: min });
  if (min < 48 * 60) return t('support.ago.hours', { count: Math.floor(min / 60) });
  return t('support.ago.days', { count: Math.floor(min / 1440) });
}

export const megabytes = (bytes: number): string => `${(bytes / 1_000_000).toLocaleString('sv-SE', { maximumFractionDigits: 1 })} MB`;

/**
 * Why something failed on a colleague's workstation, in Swedish: each error code with the
 * explanation the user herself would have seen (renderer/src/i18n/sv.ts `errors`).
 */
export function problemsOf(t: TFunction, w: SupportWorkstation, now: string, units = 1): string[] {
  const explain = (code: string) => t(`errors.${code}`);
  const out: string[] = [];
  // No unit today: nothing to work with, and no way for a support message to arrive (issue 32).
  if (units === 0) out.push(t('support.problem.noUnit'));
  if (Date.parse(now) - Date.parse(w.receivedAt) > REPORT_STALE_MS) out.push(t('support.problem.stale', { at: swedishDateTime(w.receivedAt) }));
  if (w.sync.outcome === 'error' && w.sync.code) out.push(t('support.problem.sync', { code: w.sync.code, explanation: explain(w.sync.code) }));
  if (w.queue && w.queue.count > 0 && w.queue.oldestAt && Date.parse(now) - Date.parse(w.queue.oldestAt) > QUEUE_STALE_MS) {
    out.push(t('support.problem.queue', { count: w.queue.count, at: swedishDateTime(w.queue.oldestAt) }));
  }
  // Refused and set-aside writes (PERMISSION_ENDED: the unit left while they were queued) are problems, each with its reason.
  for (const r of w.refusals?.codes ?? []) out.push(t('support.problem.refused', { count: r.count, code: r.code, explanation: explain(r.code) }));
  const explained = (w.refusals?.codes ?? []).reduce((n, r) => n + r.count, 0);
  if (w.refusals && w.refusals.count > explained) out.push(t('support.problem.refusedUnknown', { count: w.refusals.count - explained }));
  if (w.card.service === 'unavailable') out.push(explain('PCSC_UNAVAILABLE'));
  else if (w.card.readers === 0) out.push(explain('NO_READER'));
  if (w.store.state === 'unreadable') out.push(explain('STORE_UNREADABLE'));
  if (w.store.state === 'failed') out.push(t('support.problem.storeFailed'));
  return out;
}
