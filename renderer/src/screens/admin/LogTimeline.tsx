import { useTranslation } from 'react-i18next';
import { LOGGED_ACTION_LABELS_SV, swedishLocalDateTime, type LogRow } from '#contract';
import { timeline } from './timeline';

const DAY_LABEL = new Intl.DateTimeFormat('sv-SE', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
/** "Onsdag 2 december 2026": the weekday capitalised as a heading, the month as Swedish writes it. */
const dayLabel = (day: string) => {
  const s = DAY_LABEL.format(new Date(`${day}T12:00:00Z`));
  return s.charAt(0).toUpperCase() + s.slice(1);
};

/**
 * The rows on a vertical time axis: a day, its hours, and the events of each hour, newest first.
 * A bar beside each hour shows how many events it holds against the busiest hour shown; the count
 * is also written out, so nothing is said by the bar alone.
 */
export function LogTimeline({ rows }: { rows: readonly LogRow[] }) {
  const { t } = useTranslation();
  const days = timeline(rows);
  const busiest = Math.max(1, ...days.flatMap((d) => d.hours.map((h) => h.rows.length)));
  return (
    <ol className="log-timeline" aria-label={t('admin.log.timeline')}>
      {days.map((d) => (
        <li key={d.day} className="log-timeline-day">
          <h4>
            {dayLabel(d.day)} <span className="log-timeline-count">{t('admin.log.events', { count: d.count })}</span>
          </h4>
          <ol className="log-timeline-hours">
            {d.hours.map((h) => (
              <li key={h.hour} className="log-timeline-hour">
                <div className="log-timeline-head">
                  <span className="log-timeline-time">{t('admin.log.hour', { hour: h.hour })}</span>
                  <span className="log-timeline-track" aria-hidden="true">
                    <span className="log-timeline-bar" style={{ width: `${Math.max(4, (h.rows.length / busiest) * 100)}%` }} />
                  </span>
                  <span className="log-timeline-count">{t('admin.log.events', { count: h.rows.length })}</span>
                </div>
                <ul>
                  {h.rows.map((r) => (
                    <li key={r.id}>
                      <time dateTime={r.at}>{swedishLocalDateTime(new Date(r.at)).slice(11)}</time> {LOGGED_ACTION_LABELS_SV[r.action]}
                      {r.outcome === 'failure' ? ` (${t('admin.log.failed')})` : ''} · {r.actorName ?? r.actorHsaId ?? '–'}
                      {r.client ? ` · ${r.client.name}${r.unitName ? `, ${r.unitName}` : ''}` : ''}
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ol>
        </li>
      ))}
    </ol>
  );
}
