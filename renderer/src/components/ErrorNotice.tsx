import { useTranslation } from 'react-i18next';
import type { AppError } from '#contract';
import { errorText } from './error-text';

/**
 * An error as the user reads it: errorText's Swedish text for its code or reason (a validation error
 * naming the field, a certificate refused for its policy which lacked what, how long to wait after
 * too many attempts), never the developer message.
 */
export function ErrorNotice({ error, onRetry }: { error: AppError; onRetry?: () => void }) {
  const { t } = useTranslation();
  return (
    <div role="alert" className="notice notice-error">
      <p>{errorText(t, error)}</p>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          {t('units.retry')}
        </button>
      )}
    </div>
  );
}
