import { useTranslation } from 'react-i18next';
import type { AppError } from '#contract';

/** A refusal in Swedish: offline said plainly, invalid input with the schema's messages, else the server's reason. */
export function DeviationError({ error }: { error: AppError | null }) {
  const { t } = useTranslation();
  if (!error) return null;
  const issues = (error.details as { issues?: { message: string }[] } | undefined)?.issues?.map((i) => i.message) ?? [];
  let message: string;
  if (error.code === 'SERVER_UNREACHABLE') message = t('deviations.offline');
  else if (issues.length > 0) message = `${t('errors.VALIDATION')} ${[...new Set(issues)].join(' ')}`;
  else if (['VALIDATION', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT'].includes(error.code) && error.message) message = error.message;
  else message = t(`errors.${error.code}`);
  return (
    <p role="alert" className="notice notice-error">
      {message}
    </p>
  );
}

