import { beforeEach, describe, expect, it, vi } from 'vitest';

/**
 * The journal's and the day notes' actions (renderer/src/screens/journal/journal-actions.ts,
 * screens/daynotes/daynotes-actions.ts) and state/data-changed.ts: what the components no longer
 * do themselves. The bridge is the edge: the API answers from a draft kept here and records every
 * call; the events are fired by hand.
 */
type Listener = (e: { kinds: string[] }) => void;
const h = vi.hoisted(() => ({
  draft: null as null | Record<string, unknown>,
  calls: [] as { method: string; input: Record<string, unknown> }[],
  answers: [] as boolean[],
  listeners: [] as Listener[],
}));
const record = (method: string) => async (input: Record<string, unknown>) => {
  h.calls.push({ method, input });
  return { ok: true, value: method === 'drafts.save' ? { ...input, savedAt: '2026-12-07T10:00:00Z' } : null };
};
const answered = (method: string) => async (input: Record<string, unknown>) => {
  h.calls.push({ method, input });
  return h.answers.shift() ? { ok: true, value: { id: 'x' } } : { ok: false, error: { code: 'OFFLINE', message: '' } };
};
vi.mock('../../../renderer/src/bridge', () => ({
  api: {
    drafts: { get: async () => ({ ok: true, value: h.draft }), save: record('drafts.save'), delete: record('drafts.delete') },
    journal: { create: answered('journal.create'), correct: answered('journal.correct') },
  },
  events: {
    on: (name: string, l: Listener) => {
      if (name === 'data.changed') h.listeners.push(l);
      return () => (h.listeners = h.listeners.filter((x) => x !== l));
    },
  },
}));
const { addNotesToJournalDraft, notesInJournalDraft } = await import('../../../renderer/src/screens/daynotes/daynotes-actions');
const { saveJournalEntry } = await import('../../../renderer/src/screens/journal/journal-actions');
const { onDataChanged } = await import('../../../renderer/src/state/data-changed');
const { swedishDate } = await import('#contract');

const CLIENT = '00000000-0000-4000-8000-000000000001';
const [N1, N2, N3] = ['00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000a2', '00000000-0000-4000-8000-0000000000a3'];
const saved = () => h.calls.filter((c) => c.method === 'drafts.save').map((c) => c.input);

beforeEach(() => {
  h.draft = null;
  h.calls = [];
  h.answers = [];
  h.listeners = [];
});

describe('adding day notes to the journal draft', () => {
  it('without a draft: the block alone, today, the life area given', async () => {
    const r = await addNotesToJournalDraft(CLIENT, 'Kopierat från daganteckning', [N1], 'communication');
    expect(r).toEqual({ ok: true, value: { keptDraftFrom: null } });
    expect(saved()).toEqual([{ clientId: CLIENT, text: 'Kopierat från daganteckning', eventDate: swedishDate(), lifeArea: 'communication', summarisedNoteIds: [N1] }]);
  });

  it('after what the draft holds: its text, date and life area kept, its notes joined once, and when it was saved', async () => {
    h.draft = { clientId: CLIENT, text: 'Skrivet först', eventDate: '2026-12-01', lifeArea: 'learning', summarisedNoteIds: [N1, N2], savedAt: '2026-12-01T08:00:00Z' };
    const r = await addNotesToJournalDraft(CLIENT, 'Sammanfattning', [N2, N3], 'communication');
    expect(r).toEqual({ ok: true, value: { keptDraftFrom: '2026-12-01T08:00:00Z' } });
    expect(saved()).toEqual([{ clientId: CLIENT, text: 'Skrivet först\n\nSammanfattning', eventDate: '2026-12-01', lifeArea: 'learning', summarisedNoteIds: [N1, N2, N3] }]);
  });

  it('an emptied draft (no text, no notes) is replaced, not kept', async () => {
    h.draft = { clientId: CLIENT, text: '  ', eventDate: '2026-11-01', lifeArea: 'learning', summarisedNoteIds: [], savedAt: '2026-11-01T08:00:00Z' };
    const r = await addNotesToJournalDraft(CLIENT, 'Ny text', [N1], null);
    expect(r).toEqual({ ok: true, value: { keptDraftFrom: null } });
    expect(saved()[0]).toMatchObject({ text: 'Ny text', eventDate: swedishDate(), lifeArea: null });
  });

  it('the notes a draft already summarises, none without one', async () => {
    expect(await notesInJournalDraft(CLIENT)).toEqual(new Set());
    h.draft = { clientId: CLIENT, text: '', eventDate: '2026-12-01', lifeArea: null, summarisedNoteIds: [N1], savedAt: '2026-12-01T08:00:00Z' };
    expect(await notesInJournalDraft(CLIENT)).toEqual(new Set([N1]));
  });
});

describe('saving a journal entry', () => {
  const entry = { eventDate: '2026-12-07', text: 'Text', lifeArea: null };

  it('sends a refused save again with the same request id, and the next entry with a new one', async () => {
    h.answers = [false, true, true];
    const fresh = { ...entry, assignmentId: null, summarisedNoteIds: [N1] };
    expect((await saveJournalEntry(CLIENT, fresh)).ok).toBe(false);
    expect((await saveJournalEntry(CLIENT, fresh)).ok).toBe(true);
    expect((await saveJournalEntry(CLIENT, fresh)).ok).toBe(true);
    const ids = h.calls.map((c) => c.input.requestId);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[1]);
    expect(h.calls[0]).toEqual({ method: 'journal.create', input: { requestId: ids[0], clientId: CLIENT, ...fresh } });
  });

  it('a correction names the entry it corrects and why, under its own request id', async () => {
    h.answers = [false, false];
    await saveJournalEntry(CLIENT, { ...entry, assignmentId: null, summarisedNoteIds: [] });
    await saveJournalEntry(CLIENT, { ...entry, correcting: { entryId: N3, reason: 'Fel datum' } });
    const [create, correct] = h.calls;
    expect(correct).toEqual({ method: 'journal.correct', input: { requestId: correct!.input.requestId, entryId: N3, reason: 'Fel datum', ...entry } });
    expect(correct!.input.requestId).not.toBe(create!.input.requestId);
  });
});

describe('data.changed', () => {
  it('calls the listener for its kinds only, for every kind with "any", and not after the unsubscribe', () => {
    const journal = vi.fn();
    const any = vi.fn();
    const off = onDataChanged(['journal_entry'], journal);
    onDataChanged('any', any);
    for (const l of h.listeners) l({ kinds: ['day_note'] });
    for (const l of h.listeners) l({ kinds: ['day_note', 'journal_entry'] });
    off();
    for (const l of h.listeners) l({ kinds: ['journal_entry'] });
    expect(journal).toHaveBeenCalledTimes(1);
    expect(any).toHaveBeenCalledTimes(3);
  });
});
