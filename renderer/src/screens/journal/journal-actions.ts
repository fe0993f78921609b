import type { Result } from '#contract';
import { api } from '../../bridge';
import { createOnce } from '../../state/create-id';

/**
 * What the user does with a client's execution journal (docs/journal.md), each returning the API's
 * Result as it came. The draft is the journal's: one per client (and per entry being corrected),
 * in the encrypted store.
 */
type Input<F extends (input: never) => unknown> = Parameters<F>[0];
export type JournalEntry = Extract<Awaited<ReturnType<typeof api.journal.list>>, { ok: true }>['value'][number];
export type DraftRef = Input<typeof api.drafts.get>;

export const listJournal = (query: Input<typeof api.journal.list>) => api.journal.list(query);
export const loadJournalDraft = (ref: DraftRef) => api.drafts.get(ref);
export const saveJournalDraft = (draft: Input<typeof api.drafts.save>) => api.drafts.save(draft);
export const discardJournalDraft = (ref: DraftRef) => api.drafts.delete(ref);
/** The client's assignments, newest first, for the entry to say which one it concerns. */
export const listClientAssignments = (clientId: string) => api.inbox.list({ clientId, limit: 100, sort: 'start_desc' });
export const exportJournal = (input: Input<typeof api.journal.export>) => api.journal.export(input);

type Common = Pick<Input<typeof api.journal.create>, 'eventDate' | 'text' | 'lifeArea'>;
/**
 * Saves the entry being written — a new one, or the correction of `correcting` (which marks that
 * one erroneous) — with one request id per client and corrected entry until it succeeds.
 */
export function saveJournalEntry(
  clientId: string,
  entry: Common & ({ correcting: { entryId: string; reason: string } } | { assignmentId: string | null; summarisedNoteIds: string[] }),
): Promise<Result<unknown>> {
  const { eventDate, text, lifeArea } = entry;
  const common = { eventDate, text, lifeArea };
  const correcting = 'correcting' in entry ? entry.correcting : null;
  return createOnce(`journal:${clientId}:${correcting?.entryId ?? ''}`, async (requestId): Promise<Result<unknown>> =>
    'correcting' in entry
      ? api.journal.correct({ requestId, entryId: entry.correcting.entryId, reason: entry.correcting.reason, ...common })
      : api.journal.create({ requestId, clientId, ...common, assignmentId: entry.assignmentId, summarisedNoteIds: entry.summarisedNoteIds }),
  );
}
