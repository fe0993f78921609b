import { create } from 'zustand';
import type { SyncStatus } from '#contract';
import { api, events } from '../bridge';
import { onSessionCleared } from './session-store';

interface SyncStore {
  /** The connection, the outbox and the writes the server refused for good; null before the first answer. */
  status: SyncStatus | null;
  set(status: SyncStatus | null): void;
  /** Follows the status (asked once, then as main pushes it); returns the unsubscribe. One subscriber: the header's SyncIndicator. */
  watch(): () => void;
  /** The user has read a refused write: it goes from the list. */
  dismissRefusal(mutationId: string): Promise<void>;
}

export const useSync = create<SyncStore>((set) => ({
  status: null,
  set: (status) => set({ status }),
  watch() {
    const off = events.on('sync.status', (status) => set({ status }));
    void api.sync.status({}).then((r) => r.ok && set({ status: r.value }));
    return off;
  },
  async dismissRefusal(mutationId) {
    const r = await api.sync.dismissRefusal({ mutationId });
    if (r.ok) set({ status: r.value });
  },
}));
onSessionCleared(() => useSync.getState().set(null));
