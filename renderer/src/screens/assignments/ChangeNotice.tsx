import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { Decision, GrantedService, swedishDateTime, type Assignment, type HistoryEvent } from '#contract';
import { isPending, useInbox } from './inbox-store';
import './inbox-live.css';

/** What an officer's `change` event records (server/assignments/state-machine.ts): the new and the previous values of what changed. */
const Values = z.object({
  services: z.array(GrantedService).optional(),
  startDate: z.string().optional(),
  endDate: z.string().nullable().optional(),
  decision: Decision.optional(),
  freeText: z.string().optional(),
});
type Values = z.infer<typeof Values>;
const ChangeDetails = z.object({ changed: Values, previous: Values });
const FIELDS = ['services', 'startDate', 'endDate', 'decision', 'freeText'] as const;

/**
 * "Ändrat av handläggaren": the case officer's changes not yet confirmed as seen (the assignment's
 * `changePending`), each with what changed, old → new. It counts as needing action until someone
 * presses "Jag har sett ändringen" (the provider action `confirm_change`, sent like every action).
 */
export function ChangeNotice({ a }: { a: Assignment }) {
  const { t } = useTranslation();
  const act = useInbox((s) => s.act);
  const pending = useInbox((s) => isPending(s.outcomes[a.id]));
  if (!a.changePending) return null;
  const lastSeen = a.history.findLastIndex((h) => h.action === 'confirm_change');
  const changes = a.history.slice(lastSeen + 1).filter((h) => h.action === 'change');

  const hours = (s: GrantedService) =>
    t(s.per === 'week' ? 'inbox.hoursPerWeek' : 'inbox.hoursPerMonth', { hours: String(s.grantedHours).replace('.', ',') });
  const text = (field: (typeof FIELDS)[number], v: Values): string => {
    switch (field) {
      case 'services':
        return (v.services ?? []).map((s) => `${s.code ? `[${s.code}] ` : ''}${s.name} ${hours(s)}`).join(', ');
      case 'endDate':
        return v.endDate ?? t('inbox.change.untilFurther');
      case 'decision':
        return v.decision ? `${v.decision.reference}, ${v.decision.date}` : '';
      default:
        return v[field] || t('inbox.change.none');
    }
  };
  const rows = (h: HistoryEvent) => {
    const d = ChangeDetails.safeParse(h.details);
    if (!d.success) return null;
    return FIELDS.filter((f) => f in d.data.changed).map((f) => (
      <li key={f}>
        {t(`inbox.change.${f}`)}: <span className="change-old">{text(f, d.data.previous)}</span> <span aria-hidden="true">→</span>
        <span className="visually-hidden"> {t('inbox.change.arrow')} </span> <span className="change-new">{text(f, d.data.changed)}</span>
      </li>
    ));
  };

  return (
    <section className="notice change-notice" aria-labelledby={`change-${a.id}`}>
      <h3 id={`change-${a.id}`}>{t('inbox.change.heading')}</h3>
      {changes.length === 0 && <p>{t('inbox.change.unknown')}</p>}
      {changes.map((h) => (
        <div key={h.id}>
          <p>{t('inbox.change.by', { when: swedishDateTime(h.at), name: h.actor.name })}</p>
          <ul>{rows(h)}</ul>
        </div>
      ))}
      <button type="button" disabled={pending} onClick={() => void act({ type: 'confirm_change' })}>
        {t('inbox.change.confirm')}
      </button>
    </section>
  );
}

/** Says, politely, that the open detail was brought up to date by the sync (the case officer changed it meanwhile). */
export function DetailRefreshed() {
  const { t } = useTranslation();
  const refreshed = useInbox((s) => s.refreshed);
  return (
    <p role="status" className="detail-refreshed">
      {refreshed ? t('inbox.change.updated') : ''}
    </p>
  );
}
