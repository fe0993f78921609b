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
  // A client's whole journal, and one entry of it.
  access: ['journal', 'journal_entry'],
});

/**
 * The execution journal and day notes beyond the sync records (docs/journal.md): drafts kept in
 * the encrypted store and the journal's export. The access-log events the workstation reports are
 * in contract/access-log.ts.
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
