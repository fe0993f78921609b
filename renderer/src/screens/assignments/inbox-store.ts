import { create } from 'zustand';
import type { AppError } from '#contract';
import type { AssignmentSort, AssignmentStatus, ProviderAction, ProviderActionType } from '#contract';
import type { InboxDetail, InboxItem, InboxPage } from '#contract';
import { api, events } from '../../bridge';
import { onSessionCleared } from '../../state/session-store';

/** Rows fetched per request while scrolling (the contract allows ≤ 500). */
export const PAGE = 200;

export interface InboxFilters {
  unitId: string;
  status: AssignmentStatus[];
  /** "Att hantera": only what waits for the provider (with no status chosen). */
  needsAction: boolean;
  from: string;
  to: string;
  client: string;
  sort: AssignmentSort;
}

/**
 * What became of the last action on an assignment (docs/assignments.md, "An action's outcome"):
 * `sending` (no answer yet), `slow` (no answer after SLOW_MS), `checking` (no answer came: it may
 * have been applied; asked again with the same requestId until the server answers), then
 * `applied` or `refused` (the server's answer to the same request, so the true outcome).
 */
export interface ActionOutcome {
  type: ProviderActionType;
  phase: 'sending' | 'slow' | 'checking' | 'applied' | 'refused';
  /** Questions asked again with the same requestId. */
  attempts: number;
  /** It went through `checking`: the user was told the outcome was unknown, so the answer is shown. */
  uncertain: boolean;
  /** `refused`: the server's answer. */
  error?: AppError;
}
const PENDING: ActionOutcome['phase'][] = ['sending', 'slow', 'checking'];
export const isPending = (o: ActionOutcome | undefined) => !!o && PENDING.includes(o.phase);
/** "Servern svarar långsamt" after this long without an answer. */
const SLOW_MS = 3_000;
/** Waits between asking again: 1, 2, 4, 8, 15, then every 30 s — and at once when the sync is back online. */
const RETRY_MS = [1_000, 2_000, 4_000, 8_000, 15_000, 30_000];
/** Errors that are the server's answer to the action (it was not applied); anything else leaves the outcome unknown. */
const SERVER_ANSWERS = new Set(['CONFLICT', 'VALIDATION', 'NOT_FOUND', 'FORBIDDEN', 'PERMISSION_ENDED']);

const emptyFilters: InboxFilters = { unitId: '', status: [], needsAction: false, from: '', to: '', client: '', sort: 'updated_desc' };

interface InboxState {
  filters: InboxFilters;
  /** Sparse: index → row; pages arrive as the list scrolls. */
  rows: (InboxItem | undefined)[];
  total: number;
  counts: InboxPage['counts'] | null;
  /** "Att hantera"'s count under the filters except status. */
  toHandle: number;
  /** For the menu badge: new assignments and cancellations to confirm, in all the user's units. */
  needsAction: number;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: AppError | null;
  /** "Nytt att hantera har kommit till inkorgen": set when a sync brought more assignments needing action (new, cancelled, changed). */
  notice: boolean;
  activeIndex: number;
  openId: string | null;
  detail: InboxDetail | null;
  detailError: AppError | null;
  /** The server's refusal of the last action, shown as it came. */
  actionError: AppError | null;
  /** The open assignment has an action without its outcome yet: no other action until it is known. */
  busy: boolean;
  /** Per assignment id: the last action's outcome (kept while checking goes on with the detail closed). */
  outcomes: Record<string, ActionOutcome>;
  /** The open detail was brought up to date by the sync while it was open ("Uppdraget har uppdaterats."). */
  refreshed: boolean;
  dismissOutcome(id: string): void;
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
/**
 * A sync brought assignments: the first list answer of this generation or later announces more to
 * handle ("Nytt att hantera …") when its needs-action count is above the one shown at that moment.
 * Compared when the answer is applied, not when the sync's event came: an event's count captured
 * while an earlier answer was on its way was stale, and its answer then raised the notice again
 * after the user had opened the assignment (inbox-guards e2e, on a busy machine).
 */
let announceFrom = Number.POSITIVE_INFINITY;
const inflight = new Set<string>();
/** Bumped when the session is cleared: a checking loop of the previous session stops. */
let session = 0;
/** Wakes the checking loops early (the sync is online again). */
let wake: (() => void)[] = [];
const pause = (ms: number) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      wake = wake.filter((w) => w !== done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    wake.push(done);
  });

const queryOf = (f: InboxFilters) => ({
  ...(f.unitId ? { unitId: f.unitId } : {}),
  ...(f.status.length ? { status: f.status } : {}),
  ...(f.needsAction ? { needsAction: true } : {}),
  ...(f.from ? { from: f.from } : {}),
  ...(f.to ? { to: f.to } : {}),
  ...(f.client.trim() ? { client: f.client.trim() } : {}),
  sort: f.sort,
});

export const useInbox = create<InboxState>((set, get) => {
  /** `{ notice: true }` when the answer of generation `gen` with `needsAction` announces more to handle (see announceFrom). */
  const arrived = (gen: number, needsAction: number): { notice?: true } => {
    if (gen < announceFrom) return {};
    announceFrom = Number.POSITIVE_INFINITY;
    const s = get();
    // The first sync after a login fills an empty store: that is not something new arriving.
    const filled = s.total > 0 || s.needsAction > 0;
    return filled && needsAction > s.needsAction ? { notice: true } : {};
  };
  const setOutcome = (id: string, o: ActionOutcome | null) => {
    const outcomes = { ...get().outcomes };
    if (o) outcomes[id] = o;
    else delete outcomes[id];
    set({ outcomes, busy: isPending(outcomes[get().openId ?? '']) });
  };
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
      set({ ...arrived(gen, r.value.needsAction), rows, total: r.value.total, counts: r.value.counts, toHandle: r.value.toHandle, needsAction: r.value.needsAction, status: 'ready', error: null });
    } finally {
      inflight.delete(key);
    }
  };

  return {
    filters: emptyFilters,
    rows: [],
    total: 0,
    counts: null,
    toHandle: 0,
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
    outcomes: {},
    refreshed: false,
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
        ...arrived(gen, r.value.needsAction),
        rows,
        total: r.value.total,
        counts: r.value.counts,
        toHandle: r.value.toHandle,
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
      const o = get().outcomes[id];
      // A settled outcome was seen where it was shown; an unsettled one stays in view.
      if (o && !isPending(o)) setOutcome(id, null);
      // Opening an assignment is seeing what arrived: the arrival notice has done its job.
      set({ openId: id, detail: null, detailError: null, actionError: null, notice: false, busy: isPending(get().outcomes[id]), refreshed: false });
      const r = await api.inbox.get({ id });
      if (get().openId !== id) return;
      if (r.ok) set({ detail: r.value });
      else set({ detailError: r.error });
    },
    close() {
      set({ openId: null, detail: null, detailError: null, actionError: null, busy: false });
    },
    async act(action) {
      const id = get().openId;
      if (!id || isPending(get().outcomes[id])) return false;
      const mine = session;
      const type = action.type;
      set({ actionError: null });
      setOutcome(id, { type, phase: 'sending', attempts: 0, uncertain: false });
      const slow = setTimeout(() => get().outcomes[id]?.phase === 'sending' && setOutcome(id, { ...get().outcomes[id]!, phase: 'slow' }), SLOW_MS);
      let requestId = action.requestId;
      try {
        for (let attempt = 0; ; attempt++) {
          const r = await api.inbox.act({ id, action: requestId ? { ...action, requestId } : action });
          if (mine !== session) return false;
          const uncertain = get().outcomes[id]?.uncertain ?? false;
          if (r.ok && r.value.outcome === 'applied') {
            setOutcome(id, uncertain ? { type, phase: 'applied', attempts: attempt, uncertain } : null);
            if (get().openId === id) set({ detail: { assignment: r.value.assignment, offline: false } });
            void get().load();
            return true;
          }
          if (r.ok || (uncertain && !SERVER_ANSWERS.has(r.error.code))) {
            // No answer: it may have been applied. Ask again with the same requestId (applied at most once).
            if (r.ok && r.value.outcome === 'unknown') requestId = r.value.requestId;
            setOutcome(id, { type, phase: 'checking', attempts: attempt + 1, uncertain: true });
            await pause(RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]!);
            if (mine !== session) return false;
            continue;
          }
          // The server's answer: refused (after an unknown outcome, the state had moved on meanwhile).
          if (uncertain) setOutcome(id, { type, phase: 'refused', attempts: attempt, uncertain, error: r.error });
          else {
            setOutcome(id, null);
            if (get().openId === id) set({ actionError: r.error });
          }
          return false;
        }
      } finally {
        clearTimeout(slow);
      }
    },
    dismissOutcome(id) {
      setOutcome(id, null);
    },
    dismissNotice() {
      set({ notice: false });
    },
    clear() {
      generation++;
      announceFrom = Number.POSITIVE_INFINITY;
      session++;
      set({ rows: [], total: 0, counts: null, needsAction: 0, status: 'idle', error: null, notice: false, openId: null, detail: null, detailError: null, actionError: null, busy: false, outcomes: {} });
    },
  };
});

onSessionCleared(() => useInbox.getState().clear());

/**
 * The open detail follows the store, which the sync keeps current: an assignment changed or
 * cancelled by the case officer while it is open shows as it now is within the sync's delay.
 * A newer version only (the server's answer to an action may be ahead of the store).
 */
async function refreshDetail(): Promise<void> {
  const { openId, detail } = useInbox.getState();
  if (!openId || !detail) return;
  const r = await api.inbox.stored({ id: openId });
  const now = useInbox.getState();
  if (!r.ok || !r.value || now.openId !== openId || !now.detail || r.value.version <= now.detail.assignment.version) return;
  useInbox.setState({ detail: { assignment: r.value, offline: now.detail.offline }, refreshed: true });
}

// A sync brought assignments: reload what is shown, and tell the user when something new needs action.
events.on('data.changed', ({ kinds }) => {
  if (!kinds.includes('assignment') && !kinds.includes('units')) return;
  void refreshDetail();
  const s = useInbox.getState();
  if (s.status !== 'ready') {
    void s.refreshBadge();
    return;
  }
  // The next list answer (this load's, or a later one's) tells whether more needs action now.
  announceFrom = generation + 1;
  void s.load();
});

/** Asks the server at once about every action whose outcome is unknown (instead of at the next try). */
export function askAgainNow(): void {
  const waiting = wake;
  wake = [];
  waiting.forEach((w) => w());
}

// The sync is back online: ask at once about actions whose outcome is unknown.
events.on('sync.status', ({ connection }) => {
  if (connection === 'online') askAgainNow();
});
