import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { events } from '../bridge';
import { ErrorNotice } from '../components/ErrorNotice';
import { useNav } from '../state/nav-store';
import { useUnits } from '../state/units-store';

export function UnitsScreen() {
  const { t } = useTranslation();
  const { status, units, error, load } = useUnits();
  const go = useNav((n) => n.go);
  // Load on every mount: after an unlock the list is fetched again under the new session; and
  // again when the sync finds the user's units changed (a permission granted or ended).
  useEffect(() => {
    void load();
    return events.on('data.changed', (e) => {
      if (e.kinds.includes('units')) void load();
    });
  }, [load]);

  return (
    <section aria-labelledby="units-heading">
      <h2 id="units-heading">{t('units.heading')}</h2>
      {status === 'loading' && <p aria-live="polite">{t('units.loading')}</p>}
      {status === 'error' && error && <ErrorNotice error={error} onRetry={() => void load()} />}
      {status === 'ready' && units.length === 0 && <p>{t('units.empty')}</p>}
      {status === 'ready' && units.length > 0 && (
        <ul className="unit-list" aria-label={t('units.heading')}>
          {units.map((u) => (
            <li key={u.id} className="unit-card">
              <span className="unit-name">{u.name}</span>
              <span className="unit-meta">
                {t(`units.serviceType.${u.serviceType}`)} · {t('units.clients', { count: u.clientCount })}
              </span>
              <button type="button" className="button-link" onClick={() => go('clients', { unitFeed: u.id, from: 'units' })}>
                {t('journal.notes.openUnitFeed', { unit: u.name })}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
