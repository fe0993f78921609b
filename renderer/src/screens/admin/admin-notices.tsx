import { useTranslation } from 'react-i18next';
import type { AppError } from '#contract';
import { errorText } from '../../components/error-text';

/** A refusal as the administrator reads it: the server's Swedish reason where it gives one, else the code's text. */
export function AdminError({ error }: { error: AppError | null }) {
  const { t } = useTranslation();
  if (!error) return null;
  const own = ['FORBIDDEN', 'CONFLICT', 'NOT_FOUND'].includes(error.code);
  return (
    <p role="alert" className="notice notice-error">
      {own ? error.message : errorText(t, error)}
    </p>
  );
}

export function Done({ text }: { text: string | null }) {
  return text ? (
    <p role="status" className="notice">
      {text}
    </p>
  ) : null;
}
