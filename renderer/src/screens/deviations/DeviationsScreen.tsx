import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DEVIATION_CATEGORY_SV, DEVIATION_STATUS_SV, swedishDateTime, type LocalDeviation } from '#contract';
import { onDataChanged } from '../../state/data-changed';
import { useNav } from '../../state/nav-store';
import { useRoles } from '../../state/roles-store';
import { myDeviations } from './deviations-actions';
import { ManagerPanel } from './ManagerPanel';
import { ReportForm } from './ReportForm';
import './deviations.css';

/**
 * Avvikelser (docs/deviations.md): the report form for everyone, the user's own reports and where
 * their handling stands (from the encrypted store), and — to a manager — the deviations to handle,
 * the follow-up figures and patterns (online, from the server).
 */
export function DeviationsScreen() {
  const { t } = useTranslation();
  const params = useNav((n) => n.params);
  const manager = useRoles((r) => r.roles.includes('manager'));
  const [mine, setMine] = useState<LocalDeviation[]>([]);

  const load = useCallback(() => void myDeviations().then((r) => r.ok && setMine(r.value)), []);
  useEffect(() => {
    load();
    return onDataChanged(['deviation'], load);
  }, [load]);

  return (
    <section aria-labelledby="deviations-h" className="deviations">
      <h2 id="deviations-h">{t('deviations.heading')}</h2>
      <p>{t('deviations.intro')}</p>
      <ReportForm key={`${params.clientId ?? ''}-${params.assignmentId ?? ''}`} preset={{ unitId: params.unitId, clientId: params.clientId, assignmentId: params.assignmentId }} onReported={load} />
      <h3 id="deviations-mine-h">{t('deviations.mine')}</h3>
      {mine.length === 0 && <p>{t('deviations.mineNone')}</p>}
      <ul className="deviation-list" aria-labelledby="deviations-mine-h">
        {mine.map((d) => (
          <li key={d.id} className="deviation">
            <h4>
              {DEVIATION_CATEGORY_SV[d.category]} <span className="deviation-meta">{swedishDateTime(d.occurredAt)}</span>
            </h4>
            <p className="deviation-meta">
              {t('deviations.reportedAt', { at: swedishDateTime(d.reportedAt) })} · <span className="deviation-status">{d.pending ? t('deviations.pending') : DEVIATION_STATUS_SV[d.status]}</span>
            </p>
          </li>
        ))}
      </ul>
      {manager && <ManagerPanel />}
    </section>
  );
}
