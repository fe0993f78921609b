import type { TFunction } from 'i18next';
import { ErrorReason, type AppError } from '#contract';

/** The fields a refusal may name (the last part of a zod issue's path), in the words of the forms. */
const FIELD_LABELS_SV: Record<string, string> = {
  personnummer: 'Brukarens personnummer',
  actorHsaId: 'Användarens HSA-id',
  hsaId: 'HSA-id',
  unitId: 'Enhet',
  from: 'Från',
  to: 'Till',
  validFrom: 'Från och med',
  validTo: 'Till och med',
  eventDate: 'Händelsedatum',
  date: 'Datum',
  text: 'Text',
  subject: 'Ämne',
  reason: 'Orsak',
  summary: 'Sammanfattning',
  comment: 'Kommentar',
  ksiCode: 'KSI-kod',
  what: 'Vad',
  who: 'Vem',
  title: 'Titel',
  givenName: 'Förnamn',
  familyName: 'Efternamn',
  size: 'Antal',
  executionDate: 'Verkställighetsdatum',
  endDate: 'Slutdatum',
  message: 'Meddelande',
};

interface Issue {
  path?: string;
  message: string;
}

/** "Brukarens personnummer: Kontrollsiffran … stämmer inte" for each issue (at most three), the field by its label when known. */
export function validationIssues(error: AppError): string[] {
  const issues = ((error.details as { issues?: Issue[] } | undefined)?.issues ?? []).slice(0, 3);
  return issues.map((i) => {
    const field = i.path?.split('.').filter((p) => !/^\d+$/.test(p)).at(-1);
    const label = field ? FIELD_LABELS_SV[field] : undefined;
    return label ? `${label}: ${i.message}` : i.message;
  });
}

const CERT_POLICY_REASONS = ['PERSON_NO_POLICIES', 'PERSON_NO_LOA_POLICY', 'CA_NO_POLICIES', 'CA_PATH_POLICY'];

/**
 * An error as the user reads it, in Swedish — the one place an error code becomes words
 * (docs/adding-a-feature.md, "Errors"):
 * - a reason the workstation gave (`details.reason`, the contract's ErrorReason): its text, `errorReasons.<REASON>`;
 * - too many attempts with the server's Retry-After: how long to wait; a certificate refused for its policy: which lacked what;
 * - a validation error: the field and what is wrong with it ("Uppgifterna är inte giltiga. Brukarens personnummer: …");
 * - `serverMessage` (a refusal shown where it happened): the refusal's own reason when it is one written for
 *   the user (`origin` 'server' or 'rule': the server's words, or the contract's for a rule it shares with the server);
 * - otherwise the code's text, `errors.<CODE>`. A developer message is never shown.
 */
export function errorText(t: TFunction, error: AppError, { serverMessage = false }: { serverMessage?: boolean } = {}): string {
  const details = error.details ?? {};
  const reason = typeof details.reason === 'string' ? details.reason : undefined;
  if (reason && ErrorReason.safeParse(reason).success) return t(`errorReasons.${reason}`, details);
  if (error.code === 'RATE_LIMITED' && typeof details.retryAfterS === 'number') return t('rateLimitedFor', { seconds: details.retryAfterS });
  if (error.code === 'CERT_WRONG_POLICY' && reason && CERT_POLICY_REASONS.includes(reason)) return t(`certPolicy.${reason}`);
  const refusal = serverMessage && error.origin !== undefined && error.message ? error.message : undefined;
  if (error.code === 'VALIDATION') {
    const issues = validationIssues(error);
    if (issues.length > 0) return `${t('errors.VALIDATION')} ${issues.join(' ')}`;
  }
  return refusal ?? t(`errors.${error.code}`);
}
