import { z } from 'zod';
import { Uuid } from './domain';
import { LifeArea } from './sync';
import { IsoDate, IsoDateTime } from './values';

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
export const AccessRecordType = z.enum(['journal', 'journal_entry', 'day_notes', 'day_note']);
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
export const JournalExport = z.object({ path: z.string(), fileName: z.string(), entries: z.number().int().nonnegative(), bytes: z.number().int().positive() });
export type JournalExport = z.infer<typeof JournalExport>;
