import { useTranslation } from 'react-i18next';
import type { AppError } from '#contract';
import { errorText } from './error-text';

const CERT_POLICY_REASONS = ['PERSON_NO_POLICIES', 'PERSON_NO_LOA_POLICY', 'CA_NO_POLICIES', 'CA_PATH_POLICY'];

/**
 * An error as the user reads it: the Swedish text for its code (a validation error naming the
 * field), never the developer message — for a certificate refused for its policy, the text for
 * which certificate lacked what.
 */
export function ErrorNotice({ error, onRetry }: { error: AppError; onRetry?: () => void }) {
  const { t } = useTranslation();
  // Too many attempts: when the server said how long to wait (Retry-After), so does the notice.
  const retryAfterS = error.code === 'RATE_LIMITED' ? error.details?.retryAfterS : undefined;
  const reason = error.details?.reason;
  const certPolicy = error.code === 'CERT_WRONG_POLICY' && typeof reason === 'string' && CERT_POLICY_REASONS.includes(reason) ? `certPolicy.${reason}` : undefined;
  return (
    <div role="alert" className="notice notice-error">
      <p>{typeof retryAfterS === 'number' ? t('rateLimitedFor', { seconds: retryAfterS }) : certPolicy ? t(certPolicy) : errorText(t, error)}</p>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          {t('units.retry')}
        </button>
      )}
    </div>
  );
}
