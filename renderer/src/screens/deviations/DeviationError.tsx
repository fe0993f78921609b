import { useTranslation } from 'react-i18next';
import type { AppError } from '#contract';
import { errorText } from '../../components/error-text';

/** A refusal in Swedish: offline said plainly, invalid input with the schema's messages, else errorText (the workstation's reason, the server's or the rule's words). */
export function DeviationError({ error }: { error: AppError | null }) {
  const { t } = useTranslation();
  if (!error) return null;
  const issues = (error.details as { issues?: { message: string }[] } | undefined)?.issues?.map((i) => i.message) ?? [];
  let message: string;
  if (error.code === 'SERVER_UNREACHABLE') message = t('deviations.offline');
  else if (issues.length > 0) message = `${t('errors.VALIDATION')} ${[...new Set(issues)].join(' ')}`;
  else message = errorText(t, error, { serverMessage: ['VALIDATION', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT'].includes(error.code) });
  return (
    <p role="alert" className="notice notice-error">
      {message}
    </p>
  );
}

