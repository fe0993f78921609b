import { useTranslation } from 'react-i18next';
import type { AppError } from '#contract';
import { errorText } from './error-text';

/** An error as the user reads it: the Swedish text for its code (a validation error naming the field), never the developer message. */
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
