import { swedishDate, type LifeArea, type Result } from '#contract';
import { api } from '../../bridge';
import { createOnce } from '../../state/create-id';
import { loadJournalDraft, saveJournalDraft } from '../journal/journal-actions';

/**
 * What the user does with day notes (docs/journal.md, "Day notes"), each returning the API's Result
 * as it came, and the notes' way into the client's journal draft ("Kopiera till journal",
 * "Sammanfatta").
 */
type Input<F extends (input: never) => unknown> = Parameters<F>[0];
export type DayNote = Extract<Awaited<ReturnType<typeof api.daynotes.list>>, { ok: true }>['value'][number];
/** How the journal editor was opened from the notes: whether a draft written before was kept. */
export type FromNotes = { keptDraftFrom: string | null };

/** Writes a note of the unit (about a client, or `clientId: null`), with one request id per unit and client until it succeeds. */
export const writeDayNote = (input: Omit<Input<typeof api.daynotes.create>, 'requestId'>) => createOnce(`note:${input.unitId}:${input.clientId ?? ''}`, (requestId) => api.daynotes.create({ requestId, ...input }));
export const listDayNotes = (query: Input<typeof api.daynotes.list>) => api.daynotes.list(query);
/** The unit's feed: searched (full text, local) when `query` has words, else the newest. */
export const findUnitNotes = (unitId: string, query: string) => (query.trim() ? api.daynotes.search({ query, unitId, limit: 200 }) : api.daynotes.list({ unitId, limit: 200 }));
/** The unit's clients, for the feed to name each note's client. */
export const listUnitClients = (unitId: string) => api.clients.list({ unitId, limit: 500 });

/** The ids of the notes the client's journal draft already summarises (none without a draft). */
export async function notesInJournalDraft(clientId: string): Promise<Set<string>> {
  const draft = await loadJournalDraft({ clientId });
  return new Set(draft.ok && draft.value ? draft.value.summarisedNoteIds : []);
}

/**
 * Adds `block` (the notes' text) to the client's journal draft, after what is already written
 * there: a draft with text or notes keeps its text, event date and life area, and its notes are
 * joined with `noteIds`; an empty or missing one is replaced (today, `lifeArea`).
 */
export async function addNotesToJournalDraft(clientId: string, block: string, noteIds: string[], lifeArea: LifeArea | null): Promise<Result<FromNotes>> {
  const existing = await loadJournalDraft({ clientId });
  const prev = existing.ok && existing.value ? existing.value : null;
  const kept = prev && (prev.text.trim() !== '' || prev.summarisedNoteIds.length > 0) ? prev : null;
  const r = await saveJournalDraft({
    clientId,
    text: kept?.text.trim() ? `${kept.text}\n\n${block}` : block,
    eventDate: kept?.eventDate ?? swedishDate(),
    lifeArea: kept ? kept.lifeArea : lifeArea,
    summarisedNoteIds: [...new Set([...(kept?.summarisedNoteIds ?? []), ...noteIds])],
  });
  return r.ok ? { ok: true, value: { keptDraftFrom: kept?.savedAt ?? null } } : r;
}
