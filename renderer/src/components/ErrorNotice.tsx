import { useTranslation } from 'react-i18next';
import type { AppError } from '#contract';

/** An error as the user reads it: the Swedish text for its code, never the developer message. */
export function ErrorNotice({ error, onRetry }: { error: AppError; onRetry?: () => void }) {
  const { t } = useTranslation();
  // Too many attempts: when the server said how long to wait (Retry-After), so does the notice.
  const retryAfterS = error.code === 'RATE_LIMITED' ? error.details?.retryAfterS : undefined;
  return (
    <div role="alert" className="notice notice-error">
      <p>{typeof retryAfterS === 'number' ? t('rateLimitedFor', { seconds: retryAfterS }) : t(`errors.${error.code}`)}</p>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          {t('units.retry')}
        </button>
      )}
    </div>
  );
}
