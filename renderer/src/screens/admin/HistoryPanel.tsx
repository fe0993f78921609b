import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { GRANT_ROLE_LABELS_SV, swedishDateTime, type AppError, type PermissionEvent } from '#contract';
import { loadPermissionHistory } from './admin-actions';
import { AdminError } from './admin-notices';

/** Every grant, confirmation and end, newest first, with who did it. */
export function HistoryPanel() {
  const { t } = useTranslation();
  const [events, setEvents] = useState<PermissionEvent[] | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  useEffect(() => {
    void loadPermissionHistory().then((r) => (r.ok ? setEvents(r.value.events) : setError(r.error)));
  }, []);
  return (
    <>
      <h3>{t('admin.history.heading')}</h3>
      <AdminError error={error} />
      {!events && !error && <p>{t('admin.loading')}</p>}
      {events && (
        <table aria-label={t('admin.history.heading')}>
          <thead>
            <tr>
              <th scope="col">{t('admin.history.when')}</th>
              <th scope="col">{t('admin.history.what')}</th>
              <th scope="col">{t('admin.history.whom')}</th>
              <th scope="col">{t('admin.history.detail')}</th>
              <th scope="col">{t('admin.history.who')}</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.id}>
                <td>{swedishDateTime(e.at)}</td>
                <td>{t(`admin.history.actions.${e.action}`)}</td>
                <td>{e.targetName}</td>
                <td>{e.role ? `${GRANT_ROLE_LABELS_SV[e.role]}${e.unitName ? `, ${e.unitName}` : ''}${e.validFrom ? ` (${e.validFrom} – ${e.validTo ?? t('admin.people.untilFurther')})` : ''}` : ''}</td>
                <td>{e.actorName ?? t('admin.history.system')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
