import { beforeEach, describe, expect, it, vi } from 'vitest';
import { answer, calls, emit, inputsOf, ok, refused, reset } from '../../support/renderer-bridge';

/**
 * The journal's and the day notes' actions (renderer/src/screens/journal/journal-actions.ts,
 * screens/daynotes/daynotes-actions.ts) and state/data-changed.ts: what the components no longer
 * do themselves. The bridge is the edge (test/support/renderer-bridge.ts): it records every call,
 * answers what each test queued (the draft there is, whether a save is refused), and the events are
 * fired by hand.
 */
vi.mock('../../../renderer/src/bridge', () => import('../../support/renderer-bridge'));
const { addNotesToJournalDraft, notesInJournalDraft } = await import('../../../renderer/src/screens/daynotes/daynotes-actions');
const { saveJournalEntry } = await import('../../../renderer/src/screens/journal/journal-actions');
const { onDataChanged } = await import('../../../renderer/src/state/data-changed');
const { swedishDate } = await import('#contract');

const CLIENT = '00000000-0000-4000-8000-000000000001';
const [N1, N2, N3] = ['00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000a2', '00000000-0000-4000-8000-0000000000a3'];
const saved = () => inputsOf('drafts.save');
const requestIdOf = (call: { input: unknown } | undefined) => (call?.input as { requestId: string }).requestId;
type Draft = { clientId: string; text: string; eventDate: string; lifeArea: string | null; summarisedNoteIds: string[]; savedAt: string };
/** The client's journal draft as the store has it (none: null), and a save that succeeds. */
const draftIs = (draft: Draft | null) => {
  answer('drafts.get', ok(draft));
  answer('drafts.save', ok({ savedAt: '2026-12-07T10:00:00Z' }));
};
/** The server's answers to the next saves: accepted or refused (unreachable), in order. */
const saves = (method: 'journal.create' | 'journal.correct', ...accepted: boolean[]) => answer(method, ...accepted.map((a) => (a ? ok({ id: 'x' }) : refused('SERVER_UNREACHABLE'))));

beforeEach(reset);

describe('adding day notes to the journal draft', () => {
  it('without a draft: the block alone, today, the life area given', async () => {
    draftIs(null);
    const r = await addNotesToJournalDraft(CLIENT, 'Kopierat från daganteckning', [N1], 'communication');
    expect(r).toEqual({ ok: true, value: { keptDraftFrom: null } });
    expect(saved()).toEqual([{ clientId: CLIENT, text: 'Kopierat från daganteckning', eventDate: swedishDate(), lifeArea: 'communication', summarisedNoteIds: [N1] }]);
  });

  it('after what the draft holds: its text, date and life area kept, its notes joined once, and when it was saved', async () => {
    draftIs({ clientId: CLIENT, text: 'Skrivet först', eventDate: '2026-12-01', lifeArea: 'learning', summarisedNoteIds: [N1, N2], savedAt: '2026-12-01T08:00:00Z' });
    const r = await addNotesToJournalDraft(CLIENT, 'Sammanfattning', [N2, N3], 'communication');
    expect(r).toEqual({ ok: true, value: { keptDraftFrom: '2026-12-01T08:00:00Z' } });
    expect(saved()).toEqual([{ clientId: CLIENT, text: 'Skrivet först\n\nSammanfattning', eventDate: '2026-12-01', lifeArea: 'learning', summarisedNoteIds: [N1, N2, N3] }]);
  });

  it('an emptied draft (no text, no notes) is replaced, not kept', async () => {
    draftIs({ clientId: CLIENT, text: '  ', eventDate: '2026-11-01', lifeArea: 'learning', summarisedNoteIds: [], savedAt: '2026-11-01T08:00:00Z' });
    const r = await addNotesToJournalDraft(CLIENT, 'Ny text', [N1], null);
    expect(r).toEqual({ ok: true, value: { keptDraftFrom: null } });
    expect(saved()[0]).toMatchObject({ text: 'Ny text', eventDate: swedishDate(), lifeArea: null });
  });

  it('the notes a draft already summarises, none without one', async () => {
    answer('drafts.get', ok(null), ok({ clientId: CLIENT, text: '', eventDate: '2026-12-01', lifeArea: null, summarisedNoteIds: [N1], savedAt: '2026-12-01T08:00:00Z' }));
    expect(await notesInJournalDraft(CLIENT)).toEqual(new Set());
    expect(await notesInJournalDraft(CLIENT)).toEqual(new Set([N1]));
  });
});

describe('saving a journal entry', () => {
  const entry = { eventDate: '2026-12-07', text: 'Text', lifeArea: null };

  it('sends a refused save again with the same request id, and the next entry with a new one', async () => {
    saves('journal.create', false, true, true);
    const fresh = { ...entry, assignmentId: null, summarisedNoteIds: [N1] };
    expect((await saveJournalEntry(CLIENT, fresh)).ok).toBe(false);
    expect((await saveJournalEntry(CLIENT, fresh)).ok).toBe(true);
    expect((await saveJournalEntry(CLIENT, fresh)).ok).toBe(true);
    const ids = calls.map(requestIdOf);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[1]);
    expect(calls[0]).toEqual({ method: 'journal.create', input: { requestId: ids[0], clientId: CLIENT, ...fresh } });
  });

  it('a correction names the entry it corrects and why, under its own request id', async () => {
    saves('journal.create', false);
    saves('journal.correct', false);
    await saveJournalEntry(CLIENT, { ...entry, assignmentId: null, summarisedNoteIds: [] });
    await saveJournalEntry(CLIENT, { ...entry, correcting: { entryId: N3, reason: 'Fel datum' } });
    const [create, correct] = calls;
    expect(correct).toEqual({ method: 'journal.correct', input: { requestId: requestIdOf(correct), entryId: N3, reason: 'Fel datum', ...entry } });
    expect(requestIdOf(correct)).not.toBe(requestIdOf(create));
  });
});

describe('data.changed', () => {
  it('calls the listener for its kinds only, for every kind with "any", and not after the unsubscribe', () => {
    const journal = vi.fn();
    const any = vi.fn();
    const off = onDataChanged(['journal_entry'], journal);
    onDataChanged('any', any);
    emit('data.changed', { kinds: ['day_note'] });
    emit('data.changed', { kinds: ['day_note', 'journal_entry'] });
    off();
    emit('data.changed', { kinds: ['journal_entry'] });
    expect(journal).toHaveBeenCalledTimes(1);
    expect(any).toHaveBeenCalledTimes(3);
  });
});
