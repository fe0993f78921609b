import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '../components/ErrorNotice';
import { onDataChanged } from '../state/data-changed';
import { useNav } from '../state/nav-store';
import { useUnits } from '../state/units-store';
import { useInbox } from './assignments/inbox-store';
import { UnitNotes } from './daynotes/NotesTab';

/**
 * Enheter: the user's units, each one to choose → its day-note feed (shown here, so the menu marks
 * Enheter) or its assignments in the inbox. Reached from a client's notes, the feed leads back there.
 */
export function UnitsScreen() {
  const { t } = useTranslation();
  const { status, units, error, load } = useUnits();
  const { params, go } = useNav();
  // Load on every mount: after an unlock the list is fetched again under the new session; and
  // again when the sync finds the user's units changed (a permission granted or ended).
  useEffect(() => {
    void load();
    return onDataChanged(['units'], () => void load());
  }, [load]);

  if (params.unitFeed) {
    const unitName = units.find((u) => u.id === params.unitFeed)?.name ?? '';
    const fromClient = params.clientId;
    return (
      <UnitNotes
        unitId={params.unitFeed}
        unitName={unitName}
        back={fromClient ? () => go('clients', { clientId: fromClient, tab: 'notes' }) : () => go('units')}
        backLabel={fromClient ? 'journal.notes.backToClient' : 'journal.notes.backToUnits'}
      />
    );
  }

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
              <h3 className="unit-name">{u.name}</h3>
              <span className="unit-meta">
                {t(`units.serviceType.${u.serviceType}`)} · {t('units.clients', { count: u.clientCount })}
              </span>
              <div className="unit-actions">
                <button type="button" aria-label={t('journal.notes.openUnitFeed', { unit: u.name })} onClick={() => go('units', { unitFeed: u.id })}>
                  {t('units.openFeed')}
                </button>
                <button
                  type="button"
                  className="button-quiet"
                  aria-label={t('units.openInboxFor', { unit: u.name })}
                  onClick={() => {
                    useInbox.getState().setFilters({ unitId: u.id });
                    go('inbox');
                  }}
                >
                  {t('units.openInbox')}
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
