import { beforeEach, describe, expect, it, vi } from 'vitest';

/**
 * "Nytt att hantera har kommit till inkorgen" (renderer/src/screens/assignments/inbox-store.ts): raised
 * when a sync brings more to handle, gone once an assignment is opened. The bridge is the edge:
 * list answers are held and released in the order a busy machine may deliver them.
 */
type Listener = (e: { kinds: string[] }) => void;
const h = vi.hoisted(() => ({
  listeners: [] as Listener[],
  answers: [] as { needsAction: number; resolve: (v: unknown) => void }[],
}));
vi.mock('../../../renderer/src/bridge', () => ({
  api: {
    inbox: {
      list: () => new Promise((resolve) => h.answers.push({ needsAction: 0, resolve })),
      get: async () => ({ ok: false, error: { code: 'NOT_FOUND', message: 'x' } }),
      stored: async () => ({ ok: true, value: null }),
    },
  },
  events: { on: (name: string, l: Listener) => name === 'data.changed' && h.listeners.push(l) },
}));
vi.mock('../../../renderer/src/state/session-store', () => ({ onSessionCleared: () => undefined }));
const { useInbox } = await import('../../../renderer/src/screens/assignments/inbox-store');

const page = (needsAction: number) => ({ ok: true, value: { items: [], total: needsAction, counts: {}, toHandle: needsAction, needsAction } });
/** Answers the list request waiting at `i` (in arrival order) with `needsAction`, and lets its continuations run. */
async function answer(i: number, needsAction: number): Promise<void> {
  h.answers[i]!.resolve(page(needsAction));
  for (let k = 0; k < 10; k++) await Promise.resolve();
}
const synced = () => h.listeners.forEach((l) => l({ kinds: ['assignment'] }));

describe('the arrival notice', () => {
  beforeEach(async () => {
    h.answers.length = 0;
    useInbox.getState().clear();
    const loaded = useInbox.getState().load();
    await answer(0, 1);
    await loaded;
    h.answers.length = 0;
  });

  it('is raised when a sync brings more to handle, not when it brings nothing new', async () => {
    synced();
    await answer(0, 1);
    expect(useInbox.getState().notice).toBe(false);
    synced();
    await answer(1, 2);
    expect(useInbox.getState().notice).toBe(true);
  });

  it('stays gone after the assignment is opened, whatever order two syncs\u2019 answers come in', async () => {
    synced();
    synced();
    // The second sync's answer first: more to handle, the notice shows; the user opens the assignment.
    await answer(1, 2);
    expect(useInbox.getState().notice).toBe(true);
    await useInbox.getState().open('a');
    expect(useInbox.getState().notice).toBe(false);
    // The first sync's answer, late: nothing new beyond what the user has seen.
    await answer(0, 2);
    expect(useInbox.getState().notice).toBe(false);
    // A sync with nothing new afterwards changes nothing either.
    synced();
    await answer(2, 2);
    expect(useInbox.getState().notice).toBe(false);
  });
});
