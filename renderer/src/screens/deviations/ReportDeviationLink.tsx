import { useTranslation } from 'react-i18next';
import { useNav } from '../../state/nav-store';

/** "Rapportera avvikelse" on a client's page or an assignment: the report form with them filled in. */
export function ReportDeviationLink({ unitId, clientId, assignmentId }: { unitId: string; clientId: string; assignmentId?: string }) {
  const { t } = useTranslation();
  const go = useNav((n) => n.go);
  return (
    <button type="button" className="button-link" onClick={() => go('deviations', { unitId, clientId, ...(assignmentId ? { assignmentId } : {}) })}>
      {t('deviations.report')}
    </button>
  );
}
