import { randomUUID } from 'node:crypto';
import type { Author, Mutation } from '#contract';
import type { LocalJournalEntry } from '#contract';

export interface JournalInput {
  clientId: string;
  eventDate: string;
  text: string;
  lifeArea: LocalJournalEntry['lifeArea'];
  assignmentId: string | null;
  /** The editor's client-made id: the entry's id (docs/sync.md "Every create once"). */
  requestId?: string | undefined;
}

/** A new journal entry: the mutation for the outbox and the pending record the UI shows. */
export function journalEntryCreate(input: JournalInput, unitId: string, author: Author, now = new Date()) {
  const createdAt = now.toISOString();
  const mutation: Extract<Mutation, { type: 'journal_entry.create' }> = {
    mutationId: randomUUID(),
    createdAt,
    type: 'journal_entry.create',
    record: { id: input.requestId ?? randomUUID(), clientId: input.clientId, eventDate: input.eventDate, text: input.text, lifeArea: input.lifeArea, assignmentId: input.assignmentId, correctsId: null },
  };
  const record: LocalJournalEntry = { ...mutation.record, unitId, author, createdAt, erroneous: null, pending: true };
  return { mutation, record };
}
