import { randomUUID } from 'node:crypto';
import type { Author, Mutation } from '#contract';
import type { LocalDayNote } from '#contract';

export interface DayNoteInput {
  unitId: string;
  clientId: string | null;
  text: string;
  /** The form's client-made id: the note's id (docs/sync.md "Every create once"). */
  requestId?: string | undefined;
}

/** A new day note: the mutation for the outbox and the pending record the UI shows. */
export function dayNoteCreate(input: DayNoteInput, author: Author, now = new Date()) {
  const createdAt = now.toISOString();
  const mutation: Extract<Mutation, { type: 'day_note.create' }> = {
    mutationId: randomUUID(),
    createdAt,
    type: 'day_note.create',
    record: { id: input.requestId ?? randomUUID(), unitId: input.unitId, clientId: input.clientId, text: input.text },
  };
  const record: LocalDayNote = { ...mutation.record, author, createdAt, summarisedAt: null, pending: true };
  return { mutation, record };
}
