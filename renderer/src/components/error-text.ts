import type { TFunction } from 'i18next';
import type { AppError } from '#contract';

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

/**
 * An error as the user reads it, in Swedish: a validation error names the field and what is wrong
 * with it ("Uppgifterna är inte giltiga. Brukarens personnummer: …"), never only the generic line;
 * other codes their text. `serverMessage`: the server's own Swedish reason is shown where it gives
 * one (a refusal), the code's text otherwise. A developer message ("Ogiltiga uppgifter till …") is never shown.
 */
export function errorText(t: TFunction, error: AppError, { serverMessage = false }: { serverMessage?: boolean } = {}): string {
  if (error.code === 'VALIDATION') {
    const issues = validationIssues(error);
    if (issues.length > 0) return `${t('errors.VALIDATION')} ${issues.join(' ')}`;
    return serverMessage && error.message && !error.message.startsWith('Ogiltiga uppgifter till') ? error.message : t('errors.VALIDATION');
  }
  return serverMessage && error.message ? error.message : t(`errors.${error.code}`);
}
