import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { DEVIATION_CATEGORY_SV, swedishDate, type AppError, type DeviationPatterns, type DeviationStats } from '#contract';
import { DateField } from '../../components/DateField';
import { DeviationError } from './DeviationError';
import { statsAndPatterns } from './deviations-actions';

const text = (f: HTMLFormElement, name: string) => ((new FormData(f).get(name) as string | null) ?? '').trim();

/** Uppföljning: per unit, month and category the counts and median lead times; the patterns (same client, same hour). */
export function StatsView() {
  const { t } = useTranslation();
  const [stats, setStats] = useState<DeviationStats | null>(null);
  const [patterns, setPatterns] = useState<DeviationPatterns | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const show = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const q = { from: text(e.currentTarget, 'from'), to: text(e.currentTarget, 'to') };
    const [r, p] = await statsAndPatterns(q);
    if (!r.ok) return setError(r.error);
    if (!p.ok) return setError(p.error);
    setError(null);
    setStats(r.value);
    setPatterns(p.value);
  };
  const unitNames = new Map(stats?.units.map((u) => [u.unitId, u.unitName]));
  const day = (n: number | null) => (n === null ? '—' : n.toLocaleString('sv-SE'));
  return (
    <section aria-labelledby="deviation-stats-h" className="deviation-stats">
      <h3 id="deviation-stats-h">{t('deviations.stats')}</h3>
      <form className="deviation-form" onSubmit={(e) => void show(e)}>
        <DateField label={t('deviations.from')} name="from" required defaultValue={`${swedishDate().slice(0, 4)}-01-01`} />
        <DateField label={t('deviations.to')} name="to" required defaultValue={swedishDate()} />
        <button type="submit">{t('deviations.show')}</button>
      </form>
      <DeviationError error={error} />
      {stats && stats.rows.length === 0 && <p>{t('deviations.statsNone')}</p>}
      {stats && patterns && stats.rows.length > 0 && (
        <>
          <table>
            <thead>
              <tr>
                <th>{t('deviations.statsUnit')}</th>
                <th>{t('deviations.statsMonth')}</th>
                <th>{t('deviations.statsCategory')}</th>
                <th>{t('deviations.statsCount')}</th>
                <th>{t('deviations.statsClosed')}</th>
                <th>{t('deviations.statsReceive')}</th>
                <th>{t('deviations.statsClose')}</th>
              </tr>
            </thead>
            <tbody>
              {stats.rows.map((r) => (
                <tr key={`${r.unitId}-${r.month}-${r.category}`}>
                  <td>{unitNames.get(r.unitId)}</td>
                  <td>{r.month}</td>
                  <td>{DEVIATION_CATEGORY_SV[r.category]}</td>
                  <td>{r.count}</td>
                  <td>{r.closed}</td>
                  <td>{day(r.daysToReceive)}</td>
                  <td>{day(r.daysToClose)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h4>{t('deviations.patternsClients')}</h4>
          <ul>
            {patterns.clients.map((c) => (
              <li key={c.clientId}>
                {c.clientName} ({c.unitName}): {c.count}
              </li>
            ))}
          </ul>
          <h4>{t('deviations.patternsClientHours')}</h4>
          <ul>
            {patterns.clientHours.map((c) => (
              <li key={`${c.clientId}-${c.hour}`}>
                {c.clientName}, {t('deviations.hour', { hour: String(c.hour).padStart(2, '0') })}: {c.count}
              </li>
            ))}
          </ul>
          <h4>{t('deviations.patternsHours')}</h4>
          <p>{patterns.hours.map((h) => `${t('deviations.hour', { hour: String(h.hour).padStart(2, '0') })}: ${h.count}`).join(' · ')}</p>
        </>
      )}
    </section>
  );
}
