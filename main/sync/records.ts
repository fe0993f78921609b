import { randomUUID } from 'node:crypto';
import type { Author, LoginUser, Mutation } from '../../contract';
import type { LocalDayNote, LocalJournalEntry } from '../store/types';

/** The author the server will stamp, as the workstation shows it until the server's copy arrives. */
export const authorOf = (user: LoginUser): Author => ({
  staffId: user.id,
  hsaId: user.hsaId,
  name: `${user.givenName} ${user.familyName}`,
  title: user.title,
});

export interface JournalInput {
  clientId: string;
  eventDate: string;
  text: string;
  lifeArea: LocalJournalEntry['lifeArea'];
  assignmentId: string | null;
}

/** A new journal entry: the mutation for the outbox and the pending record the UI shows. */
export function journalEntryCreate(input: JournalInput, unitId: string, author: Author, now = new Date()) {
  const createdAt = now.toISOString();
  const mutation: Extract<Mutation, { type: 'journal_entry.create' }> = {
    mutationId: randomUUID(),
    createdAt,
    type: 'journal_entry.create',
    record: { id: randomUUID(), clientId: input.clientId, eventDate: input.eventDate, text: input.text, lifeArea: input.lifeArea, assignmentId: input.assignmentId, correctsId: null },
  };
  const record: LocalJournalEntry = { ...mutation.record, unitId, author, createdAt, erroneous: null, pending: true };
  return { mutation, record };
}

export interface DayNoteInput {
  unitId: string;
  clientId: string | null;
  text: string;
}

export function dayNoteCreate(input: DayNoteInput, author: Author, now = new Date()) {
  const createdAt = now.toISOString();
  const mutation: Extract<Mutation, { type: 'day_note.create' }> = {
    mutationId: randomUUID(),
    createdAt,
    type: 'day_note.create',
    record: { id: randomUUID(), unitId: input.unitId, clientId: input.clientId, text: input.text },
  };
  const record: LocalDayNote = { ...mutation.record, author, createdAt, summarisedAt: null, pending: true };
  return { mutation, record };
}
