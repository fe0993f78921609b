import { z } from 'zod';
import { Uuid } from './domain';
import { Author, defineMutation, defineSyncKind } from './sync-kind';
import { IsoDateTime, WrittenText } from './values';

/** A day note (daganteckning): short, for colleagues of the unit; deleted after the retention period. */
export const DayNoteRecord = z.object({
  id: Uuid,
  unitId: Uuid,
  clientId: Uuid.nullable(),
  text: z.string().min(1).max(4_000),
  author: Author,
  createdAt: IsoDateTime,
  summarisedAt: IsoDateTime.nullable(),
});
export type DayNoteRecord = z.infer<typeof DayNoteRecord>;

export const DayNoteCreate = defineMutation(
  'day_note.create',
  z.object({ id: Uuid, unitId: Uuid, clientId: Uuid.nullable(), text: WrittenText(4_000) }).strict(),
);
/** The note was used in a journal entry ("Kopiera till journal", "Sammanfatta"): only summarised_at is set. */
export const DayNoteMarkSummarised = defineMutation('day_note.mark_summarised', z.object({ id: Uuid }).strict());

export const dayNotesKind = defineSyncKind({
  name: 'day_note',
  record: DayNoteRecord,
  mutations: [DayNoteCreate, DayNoteMarkSummarised],
  // A client's (or a unit's) whole notes feed, and one note.
  access: ['day_notes', 'day_note'],
});
