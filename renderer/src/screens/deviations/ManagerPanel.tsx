import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DEVIATION_CATEGORY_SV, swedishDate, swedishDateTime, type AppError, type DeviationListItem } from '#contract';
import { CaseView } from './CaseView';
import { DeviationError } from './DeviationError';
import { deviationsToHandle } from './deviations-actions';
import { StatsView } from './StatsView';

const daysLeft = (due: string) => Math.round((Date.parse(`${due}T00:00:00Z`) - Date.parse(`${swedishDate()}T00:00:00Z`)) / 86_400_000);

/** The countdown to the report to IVO: two weeks from the report. */
export function IvoCountdown({ due }: { due: string }) {
  const { t } = useTranslation();
  const left = daysLeft(due);
  return left < 0 ? <span className="deviation-late">{t('deviations.ivoLate', { due })}</span> : <span className="deviation-ivo">{t('deviations.ivoCountdown', { count: left, due })}</span>;
}

/** The manager's deviations: open ones with the next step's due day, overdue first; one opened in place. */
export function ManagerPanel() {
  const { t } = useTranslation();
  const [state, setState] = useState<'open' | 'closed'>('open');
  const [items, setItems] = useState<DeviationListItem[]>([]);
  const [error, setError] = useState<AppError | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);

  const [version, setVersion] = useState(0);
  useEffect(() => {
    void deviationsToHandle(state).then((r) => {
      setError(r.ok ? null : r.error);
      if (r.ok) setItems(r.value);
    });
  }, [state, version]);
  const load = () => setVersion((v) => v + 1);

  return (
    <>
      <h3 id="deviations-manage-h">{t('deviations.manage')}</h3>
      <p className="deviation-meta">{t('deviations.manageOnline')}</p>
      <div role="group" aria-label={t('deviations.manage')}>
        <button type="button" aria-pressed={state === 'open'} onClick={() => setState('open')}>
          {t('deviations.manage')}
        </button>{' '}
        <button type="button" aria-pressed={state === 'closed'} onClick={() => setState('closed')}>
          {t('deviations.closedList')}
        </button>
      </div>
      <DeviationError error={error} />
      {items.length === 0 && !error && <p>{t('deviations.manageNone')}</p>}
      <ul className="deviation-list" aria-labelledby="deviations-manage-h">
        {items.map((d) => (
          <li key={d.id} className={`deviation${d.overdue ? ' deviation-overdue' : ''}`}>
            <h4>
              {DEVIATION_CATEGORY_SV[d.category]} <span className="deviation-meta">{d.clientName ?? '—'}, {d.unitName}</span>
              {d.overdue && <span className="deviation-late">{t('deviations.overdue')}</span>}
            </h4>
            <p className="deviation-meta">{t('deviations.reportedAt', { at: swedishDateTime(d.reportedAt) })}</p>
            {d.next && d.due && <p className="deviation-next">{t('deviations.next', { step: t(`deviations.nextStep.${d.next}`), due: d.due })}</p>}
            {d.ivoDue && (
              <p>
                <IvoCountdown due={d.ivoDue} />
              </p>
            )}
            <button type="button" aria-expanded={openId === d.id} onClick={() => setOpenId(openId === d.id ? null : d.id)}>
              {openId === d.id ? t('deviations.close') : t('deviations.open')}
            </button>
            {openId === d.id && <CaseView id={d.id} onChanged={load} />}
          </li>
        ))}
      </ul>
      <StatsView />
    </>
  );
}
