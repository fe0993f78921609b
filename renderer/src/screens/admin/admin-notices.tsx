import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { AppError } from '#contract';
import { errorText } from '../../components/error-text';

/**
 * A refusal as the administrator reads it: the server's Swedish reason where it gives one, else
 * the code's text; for a person added from a card, which name the certificate lacks or why the
 * certificate was refused.
 */
export function AdminError({ error }: { error: AppError | null }) {
  const { t } = useTranslation();
  if (!error) return null;
  return (
    <p role="alert" className="notice notice-error">
      {adminErrorText(error, t)}
    </p>
  );
}

function adminErrorText(error: AppError, t: TFunction): string {
  if (['FORBIDDEN', 'CONFLICT', 'NOT_FOUND'].includes(error.code)) return errorText(t, error, { serverMessage: true });
  const lacks = error.details?.certificateLacks;
  if (error.code === 'VALIDATION' && Array.isArray(lacks) && lacks.every((f) => f === 'givenName' || f === 'familyName') && lacks.length > 0) {
    return t('admin.add.certificateLacks', { fields: lacks.map((f: string) => t(`admin.add.certificateField.${f}`)).join(` ${t('admin.add.and')} `) });
  }
  const refused = error.details?.certificateRefused;
  if (error.code === 'VALIDATION' && typeof refused === 'string') return t('admin.add.certificateRefused', { reason: t(`errors.${refused}`) });
  return errorText(t, error);
}

export function Done({ text }: { text: string | null }) {
  return text ? (
    <p role="status" className="notice">
      {text}
    </p>
  ) : null;
}
