import { create } from 'zustand';
import type { LocalNotice } from '#contract';
import { api, events } from '../../bridge';
import { onSessionCleared } from '../../state/session-store';

const DAY_MS = 86_400_000;

/**
 * The notice board from the store (readable offline). Which notices are current is decided here,
 * by the renderer's clock, re-checked every second: a banner appears and disappears at its times.
 */
interface NoticesState {
  notices: LocalNotice[];
  now: number;
  /** Outage warnings the user has acknowledged in this session (notice ids). */
  acknowledged: string[];
  /** Banners the user closed in this session (notice ids): the notice stays on the notice board. */
  dismissed: string[];
  load(): Promise<void>;
  tick(): void;
  acknowledge(noticeId: string): void;
  dismiss(noticeId: string): void;
  clear(): void;
}

export const useNotices = create<NoticesState>((set) => ({
  notices: [],
  now: Date.now(),
  acknowledged: [],
  dismissed: [],
  async load() {
    const r = await api.notices.list({});
    if (r.ok) set({ notices: r.value, now: Date.now() });
  },
  tick() {
    set({ now: Date.now() });
  },
  acknowledge(noticeId) {
    set((s) => ({ acknowledged: [...s.acknowledged, noticeId] }));
  },
  dismiss(noticeId) {
    set((s) => ({ dismissed: [...s.dismissed, noticeId] }));
  },
  clear() {
    set({ notices: [], acknowledged: [], dismissed: [] });
  },
}));

export const isCurrent = (n: LocalNotice, now: number) => Date.parse(n.showFrom) <= now && now < Date.parse(n.showUntil);
/** An outage that starts within 24 hours (and has not started yet). */
export const outageSoon = (n: LocalNotice, now: number) => n.outageStart !== null && Date.parse(n.outageStart) > now && Date.parse(n.outageStart) - now <= DAY_MS;

onSessionCleared(() => useNotices.getState().clear());
events.on('data.changed', ({ kinds }) => {
  if (kinds.includes('notice') || kinds.includes('units')) void useNotices.getState().load();
});
