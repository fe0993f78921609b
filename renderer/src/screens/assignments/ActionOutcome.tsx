import { useTranslation } from 'react-i18next';
import { errorText } from '../../components/error-text';
import { askAgainNow, useInbox } from './inbox-store';
import './inbox-live.css';

/**
 * What became of the last action on this assignment (docs/assignments.md, "An action's outcome").
 * An action the server did not answer is not reported as failed: it is "not known yet", asked
 * again with the same requestId, and then shown as the server answered it — done, or not done
 * because the assignment had changed meanwhile. A quick answer needs no notice (the detail shows it).
 */
export function ActionOutcome({ assignmentId }: { assignmentId: string }) {
  const { t } = useTranslation();
  const o = useInbox((s) => s.outcomes[assignmentId]);
  const dismiss = useInbox((s) => s.dismissOutcome);
  if (!o) return null;
  const action = t(`inbox.action.${o.type}`);
  if (o.phase === 'refused') {
    return (
      <div role="alert" className="notice notice-error action-outcome">
        <div>
          <p>{t('inbox.outcome.refused', { action })}</p>
          {o.error && <p>{o.error.origin === 'server' ? t('inbox.outcome.serverSaid', { message: errorText(t, o.error, { serverMessage: true }) }) : errorText(t, o.error)}</p>}
        </div>
        <button type="button" className="button-link" onClick={() => dismiss(assignmentId)}>
          {t('inbox.outcome.dismiss')}
        </button>
      </div>
    );
  }
  // One polite live region for the phases that follow each other, so each change is read out once.
  return (
    <div role="status" className={`notice action-outcome outcome-${o.phase}`}>
      {o.phase === 'sending' && <p>{t('inbox.outcome.sending', { action })}</p>}
      {o.phase === 'slow' && <p>{t('inbox.outcome.slow', { action })}</p>}
      {o.phase === 'checking' && (
        <>
          <div>
            <p>{t('inbox.outcome.checking', { action })}</p>
            <p className="outcome-attempts">{t('inbox.outcome.attempts', { count: o.attempts })}</p>
          </div>
          <button type="button" onClick={askAgainNow}>
            {t('inbox.outcome.askNow')}
          </button>
        </>
      )}
      {o.phase === 'applied' && (
        <>
          <p>{t('inbox.outcome.applied', { action })}</p>
          <button type="button" className="button-link" onClick={() => dismiss(assignmentId)}>
            {t('inbox.outcome.dismiss')}
          </button>
        </>
      )}
    </div>
  );
}
