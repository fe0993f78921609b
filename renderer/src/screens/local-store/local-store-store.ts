import { create } from 'zustand';
import type { AppError, StoreResyncResult, StoreStatus } from '#contract';
import { api, events } from '../../bridge';
import { onSessionCleared } from '../../state/session-store';

interface LocalStoreState {
  /** The signed-in user's local store as main reports it (`store.status`). */
  status: StoreStatus | null;
  /** A resync is under way (the button stays focusable but does nothing). */
  busy: boolean;
  /** The last resync's refusal; nothing was deleted. */
  error: AppError | null;
  /** A finished resync, shown until the user continues: where the old file was kept. */
  done: StoreResyncResult | null;
  init(): () => void;
  load(): Promise<void>;
  resync(): Promise<boolean>;
  acknowledge(): void;
}

/**
 * The local store's state and the way out of an unreadable one (docs/store.md, "A store that
 * cannot be read"): main pushes `store.status`; `resync` asks main to set the old file aside and
 * fill a fresh store from the server.
 */
export const useLocalStore = create<LocalStoreState>((set, get) => ({
  status: null,
  busy: false,
  error: null,
  done: null,
  init() {
    return events.on('store.status', (status) => set({ status }));
  },
  async load() {
    const r = await api.store.status({});
    if (r.ok) set({ status: r.value });
  },
  async resync() {
    if (get().busy) return false;
    set({ busy: true, error: null });
    const r = await api.store.resync({});
    if (r.ok) {
      set({ busy: false, done: r.value, status: r.value.status });
      return true;
    }
    set({ busy: false, error: r.error });
    await get().load();
    return false;
  },
  acknowledge() {
    set({ done: null });
  },
}));

onSessionCleared(() => useLocalStore.setState({ status: null, busy: false, error: null, done: null }));

/** Whether the app must show the local-store dialog instead of its screens. */
export const needsStoreDialog = (s: Pick<LocalStoreState, 'status' | 'done'>): boolean =>
  s.done !== null || s.status?.state === 'unreadable' || s.status?.state === 'resyncing' || s.status?.state === 'failed';
