import { z } from 'zod';
import { Uuid } from './domain';
import { Author, defineMutation, defineSyncKind } from './sync-kind';
import { IsoDate, IsoDateTime, WrittenText } from './values';

/** IBIC life areas (livsområden), built on ICF. */
export const LifeArea = z.enum([
  'learning',
  'general_tasks',
  'communication',
  'mobility',
  'self_care',
  'domestic_life',
  'relationships',
  'work_economy',
  'community_life',
  'safety',
  'relatives_support',
]);
export type LifeArea = z.infer<typeof LifeArea>;

/** IBIC's Swedish names of the life areas: domain vocabulary, shared by the UI and the printout. */
export const LIFE_AREA_LABELS_SV: Record<LifeArea, string> = {
  learning: 'Lärande och att tillämpa kunskap',
  general_tasks: 'Allmänna uppgifter och krav',
  communication: 'Kommunikation',
  mobility: 'Förflyttning',
  self_care: 'Personlig vård',
  domestic_life: 'Hemliv',
  relationships: 'Mellanmänskliga interaktioner och relationer',
  work_economy: 'Utbildning, arbete och ekonomi',
  community_life: 'Samhällsgemenskap, socialt och medborgerligt liv',
  safety: 'Trygghet',
  relatives_support: 'Stöd från anhöriga',
};

/** An execution journal entry (verkställighetsjournal): append-only; corrections add entries. */
export const JournalEntryRecord = z.object({
  id: Uuid,
  clientId: Uuid,
  unitId: Uuid,
  /** The day the event happened. */
  eventDate: IsoDate,
  text: z.string().min(1).max(20_000),
  lifeArea: LifeArea.nullable(),
  assignmentId: Uuid.nullable(),
  author: Author,
  createdAt: IsoDateTime,
  /** Set when the entry was marked erroneous (felmarkerad); the entry itself never changes otherwise. */
  erroneous: z.object({ markedAt: IsoDateTime, markedBy: Author, reason: z.string() }).nullable(),
  /** The entry this one corrects. */
  correctsId: Uuid.nullable(),
});
export type JournalEntryRecord = z.infer<typeof JournalEntryRecord>;

export const JournalEntryCreate = defineMutation(
  'journal_entry.create',
  z.object({
    id: Uuid,
    clientId: Uuid,
    eventDate: IsoDate,
    text: WrittenText(20_000),
    lifeArea: LifeArea.nullable(),
    assignmentId: Uuid.nullable(),
    correctsId: Uuid.nullable(),
  }).strict(),
);
export const JournalEntryMarkErroneous = defineMutation('journal_entry.mark_erroneous', z.object({ id: Uuid, reason: WrittenText(2_000) }).strict());

export const journalKind = defineSyncKind({
  name: 'journal_entry',
  record: JournalEntryRecord,
  mutations: [JournalEntryCreate, JournalEntryMarkErroneous],
});

/**
 * The execution journal and day notes beyond the sync records (docs/journal.md): drafts kept in
 * the encrypted store, the access-log events the workstation reports, and the server route that
 * takes them.
 */

/**
 * A half-written journal entry, saved as the user types. One per client for a new entry
 * (`correctsId` null) and one per corrected entry.
 */
export const JournalDraft = z.object({
  clientId: Uuid,
  correctsId: Uuid.nullable().default(null),
  text: z.string().max(20_000),
  eventDate: IsoDate,
  lifeArea: LifeArea.nullable().default(null),
  assignmentId: Uuid.nullable().default(null),
  /** Day notes the draft was made from ("Kopiera till journal", "Sammanfatta"); marked summarised when saved. */
  summarisedNoteIds: z.array(Uuid).max(500).default([]),
  /** Why the corrected entry is wrong (corrections only). */
  reason: z.string().max(2_000).default(''),
});
export type JournalDraft = z.infer<typeof JournalDraft>;
export const SavedDraft = JournalDraft.extend({ savedAt: z.iso.datetime({ offset: true }) });
export type SavedDraft = z.infer<typeof SavedDraft>;
export const DraftRef = z.object({ clientId: Uuid, correctsId: Uuid.nullable().default(null) }).strict();

/** What the workstation reports: reads (opening), copies to the clipboard, exports. Changes are logged by the push itself. */
export const AccessAction = z.enum(['read', 'copy', 'export']);
export type AccessAction = z.infer<typeof AccessAction>;
/** `journal` / `day_notes`: a client's whole journal or notes feed; `journal_entry` / `day_note`: one record. */
export const AccessRecordType = z.enum(['journal', 'journal_entry', 'day_notes', 'day_note', 'plan', 'message_thread']);
export type AccessRecordType = z.infer<typeof AccessRecordType>;

export const AccessEventInput = z.object({
  action: AccessAction,
  clientId: Uuid,
  recordType: AccessRecordType,
  recordId: Uuid.optional(),
  /** When it happened on the workstation (events queued offline are sent later). */
  at: IsoDateTime,
}).strict();
export type AccessEventInput = z.infer<typeof AccessEventInput>;

export const AccessEventsRequest = z.object({ events: z.array(AccessEventInput).min(1).max(100) }).strict();
export const AccessEventsResponse = z.object({ recorded: z.number().int().nonnegative() });

export const accessLogRoutes = {
  /** All or nothing: every event's client must be in a unit of the user's scope, else 403 FORBIDDEN. */
  events: { method: 'POST', path: '/api/v1/access-log/events', body: AccessEventsRequest, response: AccessEventsResponse },
} as const;

/** The journal as a PDF, saved in the workstation's exports folder. */
/** Where an export went: a file the workstation wrote (no host), a download (browser host), the save or print dialog (Electron). */
export const ExportDelivery = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('file'), path: z.string() }),
  z.object({ kind: z.literal('download'), url: z.string() }),
  z.object({ kind: z.literal('saved'), path: z.string() }),
  z.object({ kind: z.literal('printed') }),
  z.object({ kind: z.literal('cancelled') }),
]);
export type ExportDelivery = z.infer<typeof ExportDelivery>;
export const JournalExport = z.object({ fileName: z.string(), entries: z.number().int().nonnegative(), bytes: z.number().int().positive(), delivery: ExportDelivery });
export type JournalExport = z.infer<typeof JournalExport>;
