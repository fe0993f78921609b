import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useRoles } from '../../state/roles-store';
import { useIncidents } from './incidents-store';

/** How often the administrator's badge asks the server again (no event tells the workstation of a new report). */
const REFRESH_MS = 60_000;

/** The administrator's badge: incidents of the organisation not yet reported to the municipality. */
export function IncidentsBadge() {
  const { t } = useTranslation();
  const administrator = useRoles((r) => r.roles.includes('it_contact'));
  const waiting = useIncidents((s) => s.waiting);
  const refresh = useIncidents((s) => s.refresh);
  useEffect(() => {
    if (!administrator) return;
    void refresh();
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [administrator, refresh]);
  if (!administrator || waiting === 0) return null;
  return (
    <span className="badge" aria-label={t('incidents.badge', { count: waiting })}>
      {waiting}
    </span>
  );
}
