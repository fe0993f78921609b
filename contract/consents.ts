import { z } from 'zod';
import { call } from './call';
import { swedishDate } from './dates';
import { CreateId, Uuid } from './domain';
import { Author, defineMutation, defineSyncKind } from './sync-kind';
import { IsoDate, IsoDateTime, OptionalText, WrittenText } from './values';

/**
 * The client's consent register (samtyckesregister, docs/consents.md): what the client has said
 * yes or no to, recorded by staff of the client's unit. A consent is never changed or deleted; a
 * consent given can be withdrawn (återkallat) once, with its date and reason, and the record keeps
 * both events. The plan's own consent (the case officer may read the plan) stays in contract/plans.ts.
 */

/** What the consent concerns: a fixed list, and "Annat" with its own text. */
export const ConsentTopic = z.enum(['relatives_information', 'health_care', 'school_employer_authority', 'other']);
export type ConsentTopic = z.infer<typeof ConsentTopic>;
export const CONSENT_TOPIC_SV: Record<ConsentTopic, string> = {
  relatives_information: 'Information får lämnas till anhörig',
  health_care: 'Samverkan med hälso- och sjukvården',
  school_employer_authority: 'Samverkan med skola/arbetsgivare/annan myndighet',
  other: 'Annat',
};

/** The client's answer: a judgement, chosen every time (no default). */
export const ConsentAnswer = z.enum(['given', 'refused']);
export type ConsentAnswer = z.infer<typeof ConsentAnswer>;
export const CONSENT_ANSWER_SV: Record<ConsentAnswer, string> = { given: 'Samtycke lämnat', refused: 'Samtycke nekat' };

/** How the answer was given. */
export const ConsentForm = z.enum(['oral', 'written']);
export type ConsentForm = z.infer<typeof ConsentForm>;
export const CONSENT_FORM_SV: Record<ConsentForm, string> = { oral: 'Muntligt', written: 'Skriftligt' };

/** The rules the workstation and the server share, in the words both refuse with. */
export const CONSENT_MESSAGES = {
  consentOtherText: 'Skriv vad samtycket gäller när du väljer ”Annat”.',
  consentOtherTextOnly: 'Egen text anges bara när samtycket gäller ”Annat”.',
  consentFuture: 'Datumet kan inte ligga i framtiden.',
  consentMissing: 'Samtycket finns inte, eller hör till en enhet du inte har behörighet till.',
  consentNotGiven: 'Bara ett lämnat samtycke kan återkallas.',
  consentWithdrawnAlready: 'Samtycket är redan återkallat.',
  consentWithdrawBeforeGiven: 'Återkallelsen kan inte vara daterad före samtycket.',
} as const;

/** A date after today in Sweden, one day of slack for a workstation clock a little ahead. */
export const consentDateInFuture = (date: string, now: Date): boolean => date > swedishDate(now, 1);

/** Free text as stored, alike on the server and the workstation: trimmed, empty is none. */
export const consentText = (s: string | null): string | null => (s !== null && s.trim() ? s.trim() : null);

export const ConsentWithdrawal = z.object({
  withdrawnOn: IsoDate,
  reason: z.string(),
  by: Author,
  at: IsoDateTime,
});
export type ConsentWithdrawal = z.infer<typeof ConsentWithdrawal>;

export const ConsentRecord = z.object({
  id: Uuid,
  unitId: Uuid,
  clientId: Uuid,
  topic: ConsentTopic,
  /** The topic in the staff's words when it is "Annat"; null otherwise. */
  otherText: z.string().nullable(),
  answer: ConsentAnswer,
  form: ConsentForm,
  /** The day the client answered. */
  givenOn: IsoDate,
  note: z.string().nullable(),
  author: Author,
  createdAt: IsoDateTime,
  withdrawal: ConsentWithdrawal.nullable(),
});
export type ConsentRecord = z.infer<typeof ConsentRecord>;

/** The fields staff fill in, checked alike in the form, the workstation and the server. */
const consentFields = {
  clientId: Uuid,
  topic: ConsentTopic,
  otherText: WrittenText(300).nullable(),
  answer: ConsentAnswer,
  form: ConsentForm,
  givenOn: IsoDate,
  note: OptionalText(2_000).nullable(),
};
const otherTextRule = <T extends { topic: ConsentTopic; otherText: string | null }>(r: T, ctx: z.RefinementCtx) => {
  if (r.topic === 'other' && r.otherText === null) ctx.addIssue({ code: 'custom', path: ['otherText'], message: CONSENT_MESSAGES.consentOtherText });
  if (r.topic !== 'other' && r.otherText !== null) ctx.addIssue({ code: 'custom', path: ['otherText'], message: CONSENT_MESSAGES.consentOtherTextOnly });
};

export const ConsentRecordMutation = defineMutation('consent.record', z.object({ id: Uuid, ...consentFields }).strict().superRefine(otherTextRule));
export const ConsentWithdraw = defineMutation('consent.withdraw', z.object({ id: Uuid, withdrawnOn: IsoDate, reason: WrittenText(2_000) }).strict());

export const consentsKind = defineSyncKind({
  name: 'consent',
  record: ConsentRecord,
  mutations: [ConsentRecordMutation, ConsentWithdraw],
  // A client's consent register, and one consent of it.
  access: ['consents', 'consent'],
});

/** A consent as the workstation shows it: `pending` while it (or its withdrawal) waits to be sent. */
export const LocalConsent = ConsentRecord.extend({ pending: z.boolean() });
export type LocalConsent = z.infer<typeof LocalConsent>;

export const consentsApi = {
  /** A client's consents, newest first (the local store; a read in the access log). */
  list: call(z.object({ clientId: Uuid }).strict(), z.array(LocalConsent)),
  /** Records a consent (consent.record), offline like every write; `requestId` is the consent's id (one per form). */
  record: call(z.object({ ...CreateId, ...consentFields }).strict().superRefine(otherTextRule), LocalConsent),
  /** Withdraws a consent given (consent.withdraw): a new event on it; nothing is erased. */
  withdraw: call(z.object({ id: Uuid, withdrawnOn: IsoDate, reason: WrittenText(2_000) }).strict(), LocalConsent),
};
