import { create } from 'zustand';
import type { AppError } from '#contract';
import type { AssignmentSort, AssignmentStatus, ProviderAction } from '#contract';
import type { InboxDetail, InboxItem, InboxPage } from '#contract';
import { api, events } from '../../bridge';
import { onSessionCleared } from '../../state/session-store';

/** Rows fetched per request while scrolling (the contract allows ≤ 500). */
export const PAGE = 200;

export interface InboxFilters {
  unitId: string;
  status: AssignmentStatus[];
  from: string;
  to: string;
  client: string;
  sort: AssignmentSort;
}

const emptyFilters: InboxFilters = { unitId: '', status: [], from: '', to: '', client: '', sort: 'updated_desc' };

interface InboxState {
  filters: InboxFilters;
  /** Sparse: index → row; pages arrive as the list scrolls. */
  rows: (InboxItem | undefined)[];
  total: number;
  counts: InboxPage['counts'] | null;
  /** For the menu badge: new assignments and cancellations to confirm, in all the user's units. */
  needsAction: number;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: AppError | null;
  /** "Nytt uppdrag har kommit": set when a sync brought more assignments needing action. */
  notice: boolean;
  activeIndex: number;
  openId: string | null;
  detail: InboxDetail | null;
  detailError: AppError | null;
  /** The server's refusal of the last action, shown as it came. */
  actionError: AppError | null;
  busy: boolean;
  setFilters(f: Partial<InboxFilters>): void;
  load(): Promise<void>;
  ensureRange(start: number, end: number): void;
  refreshBadge(): Promise<void>;
  setActive(i: number): void;
  open(id: string): Promise<void>;
  close(): void;
  act(action: ProviderAction): Promise<boolean>;
  dismissNotice(): void;
  clear(): void;
}

let generation = 0;
const inflight = new Set<string>();

const queryOf = (f: InboxFilters) => ({
  ...(f.unitId ? { unitId: f.unitId } : {}),
  ...(f.status.length ? { status: f.status } : {}),
  ...(f.from ? { from: f.from } : {}),
  ...(f.to ? { to: f.to } : {}),
  ...(f.client.trim() ? { client: f.client.trim() } : {}),
  sort: f.sort,
});

export const useInbox = create<InboxState>((set, get) => {
  const fetchPage = async (offset: number, gen: number) => {
    const key = `${gen}:${offset}`;
    if (inflight.has(key)) return;
    inflight.add(key);
    try {
      const r = await api.inbox.list({ ...queryOf(get().filters), offset, limit: PAGE });
      if (gen !== generation) return;
      if (!r.ok) {
        set({ status: 'error', error: r.error });
        return;
      }
      const rows = get().rows.slice();
      rows.length = r.value.total;
      r.value.items.forEach((item, i) => (rows[offset + i] = item));
      set({ rows, total: r.value.total, counts: r.value.counts, needsAction: r.value.needsAction, status: 'ready', error: null });
    } finally {
      inflight.delete(key);
    }
  };

  return {
    filters: emptyFilters,
    rows: [],
    total: 0,
    counts: null,
    needsAction: 0,
    status: 'idle',
    error: null,
    notice: false,
    activeIndex: 0,
    openId: null,
    detail: null,
    detailError: null,
    actionError: null,
    busy: false,
    setFilters(f) {
      set({ filters: { ...get().filters, ...f }, activeIndex: 0 });
      void get().load();
    },
    async load() {
      const gen = ++generation;
      if (get().status !== 'ready') set({ status: 'loading' });
      const r = await api.inbox.list({ ...queryOf(get().filters), offset: 0, limit: PAGE });
      if (gen !== generation) return;
      if (!r.ok) {
        set({ status: 'error', error: r.error });
        return;
      }
      const rows: (InboxItem | undefined)[] = new Array<InboxItem | undefined>(r.value.total);
      r.value.items.forEach((item, i) => (rows[i] = item));
      set({
        rows,
        total: r.value.total,
        counts: r.value.counts,
        needsAction: r.value.needsAction,
        status: 'ready',
        error: null,
        activeIndex: Math.min(get().activeIndex, Math.max(0, r.value.total - 1)),
      });
    },
    ensureRange(start, end) {
      const { rows, total } = get();
      for (let i = Math.max(0, start); i <= Math.min(end, total - 1); i++) {
        if (!rows[i]) {
          void fetchPage(Math.floor(i / PAGE) * PAGE, generation);
          i = (Math.floor(i / PAGE) + 1) * PAGE - 1;
        }
      }
    },
    async refreshBadge() {
      const r = await api.inbox.list({ limit: 1 });
      if (r.ok) {
        if (r.value.needsAction > get().needsAction && get().counts !== null) set({ notice: true });
        set({ needsAction: r.value.needsAction });
      }
    },
    setActive(i) {
      set({ activeIndex: Math.max(0, Math.min(i, get().total - 1)) });
    },
    async open(id) {
      // Opening an assignment is seeing what arrived: "Nytt uppdrag har kommit" has done its job.
      set({ openId: id, detail: null, detailError: null, actionError: null, notice: false });
      const r = await api.inbox.get({ id });
      if (get().openId !== id) return;
      if (r.ok) set({ detail: r.value });
      else set({ detailError: r.error });
    },
    close() {
      set({ openId: null, detail: null, detailError: null, actionError: null });
    },
    async act(action) {
      const id = get().openId;
      if (!id) return false;
      set({ busy: true, actionError: null });
      const r = await api.inbox.act({ id, action });
      if (get().openId !== id) return false;
      if (r.ok) {
        set({ detail: r.value, busy: false });
        void get().load();
        return true;
      }
      set({ actionError: r.error, busy: false });
      return false;
    },
    dismissNotice() {
      set({ notice: false });
    },
    clear() {
      generation++;
      set({ rows: [], total: 0, counts: null, needsAction: 0, status: 'idle', error: null, notice: false, openId: null, detail: null, detailError: null, actionError: null, busy: false });
    },
  };
});

onSessionCleared(() => useInbox.getState().clear());

// A sync brought assignments: reload what is shown, and tell the user when something new needs action.
events.on('data.changed', ({ kinds }) => {
  if (!kinds.includes('assignment') && !kinds.includes('units')) return;
  const s = useInbox.getState();
  const before = s.needsAction;
  const loaded = s.status === 'ready';
  // The first sync after a login fills an empty store: that is not something new arriving.
  const filled = s.total > 0 || before > 0;
  void (loaded ? s.load() : s.refreshBadge()).then(() => {
    const after = useInbox.getState().needsAction;
    if (loaded && filled && after > before) useInbox.setState({ notice: true });
  });
});
