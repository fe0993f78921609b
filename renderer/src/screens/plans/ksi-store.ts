import { useEffect } from 'react';
import { create } from 'zustand';
import { ksiIndex, type KsiCopy, type KsiIndex } from '#contract';
import { api } from '../../bridge';
import { onSessionCleared } from '../../state/session-store';

/**
 * The organisation's KSI list as the workstation last got it from the server (main/plans/ksi-list.ts;
 * docs/plans.md, "KSI codes"): the plan editor picks from it, the plan views label codes with it.
 * Loaded when a screen that needs it first shows, and again after each login.
 */
interface KsiState {
  copy: KsiCopy | null;
  index: KsiIndex;
  load(): Promise<void>;
  clear(): void;
}

const EMPTY: KsiIndex = new Map();

export const useKsi = create<KsiState>((set) => ({
  copy: null,
  index: EMPTY,
  async load() {
    const r = await api.plans.ksi({});
    if (r.ok) set({ copy: r.value, index: ksiIndex(r.value.list) });
  },
  clear() {
    set({ copy: null, index: EMPTY });
  },
}));

/** The list for a component: loads it the first time one shows. */
export function useKsiList(): { copy: KsiCopy | null; index: KsiIndex } {
  const copy = useKsi((s) => s.copy);
  const index = useKsi((s) => s.index);
  useEffect(() => {
    if (!useKsi.getState().copy) void useKsi.getState().load();
  }, []);
  return { copy, index };
}

onSessionCleared(() => useKsi.getState().clear());
