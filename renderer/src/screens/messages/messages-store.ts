import { create } from 'zustand';
import type { AppError, LocalThreadDetail, LocalThreadSummary } from '#contract';
import { api, events } from '../../bridge';
import { i18next } from '../../i18n';
import { createOnce } from '../../state/create-id';
import { onSessionCleared } from '../../state/session-store';

/**
 * The user's threads as the Meddelanden screen and the menu show them (docs/messages.md). A sync
 * that brings messages reloads what is shown; more unread than before is "Nytt meddelande har
 * kommit" in the window and — only if the user allowed notifications — an OS notification that
 * says exactly that and nothing else (never sender, subject, client or text).
 */
interface MessagesState {
  threads: LocalThreadSummary[];
  query: string;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: AppError | null;
  unread: number;
  notice: boolean;
  /** The thread the notice is about (the newest with unread messages): "Visa" opens it. */
  noticeThreadId: string | null;
  openId: string | null;
  detail: LocalThreadDetail | null;
  detailError: AppError | null;
  load(): Promise<void>;
  setQuery(q: string): void;
  refreshUnread(): Promise<number>;
  open(threadId: string): Promise<void>;
  close(): void;
  reply(text: string): Promise<AppError | null>;
  dismissNotice(): void;
  clear(): void;
}

let generation = 0;

export const useMessages = create<MessagesState>((set, get) => ({
  threads: [],
  query: '',
  status: 'idle',
  error: null,
  unread: 0,
  notice: false,
  noticeThreadId: null,
  openId: null,
  detail: null,
  detailError: null,
  async load() {
    const gen = ++generation;
    if (get().status !== 'ready') set({ status: 'loading' });
    const q = get().query.trim();
    const r = await api.messages.list({ limit: 200, ...(q ? { query: q } : {}) });
    if (gen !== generation) return;
    if (r.ok) set({ threads: r.value, status: 'ready', error: null });
    else set({ status: 'error', error: r.error });
  },
  setQuery(query) {
    set({ query });
    void get().load();
  },
  async refreshUnread() {
    const r = await api.messages.unreadCount({});
    if (!r.ok) return get().unread;
    set({ unread: r.value.unread });
    return r.value.unread;
  },
  async open(threadId) {
    set({ openId: threadId, detail: null, detailError: null });
    const r = await api.messages.get({ threadId });
    if (get().openId !== threadId) return;
    if (!r.ok) return set({ detailError: r.error });
    set({ detail: r.value });
    // Opened is read: the receipts go through the outbox.
    const marked = await api.messages.markRead({ threadId });
    if (marked.ok && marked.value.marked > 0) {
      void get().refreshUnread();
      void get().load();
    }
  },
  close() {
    set({ openId: null, detail: null, detailError: null });
    void get().load();
  },
  async reply(text) {
    const threadId = get().openId;
    if (!threadId) return null;
    const r = await createOnce(`reply:${threadId}`, (requestId) => api.messages.reply({ requestId, threadId, text }));
    if (!r.ok) return r.error;
    const d = await api.messages.get({ threadId });
    if (d.ok && get().openId === threadId) set({ detail: d.value });
    return null;
  },
  dismissNotice() {
    set({ notice: false, noticeThreadId: null });
  },
  clear() {
    generation++;
    set({ threads: [], query: '', status: 'idle', error: null, unread: 0, notice: false, noticeThreadId: null, openId: null, detail: null, detailError: null });
  },
}));

onSessionCleared(() => useMessages.getState().clear());

function notifyOs(): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  new Notification(i18next.t('messages.osNotification'));
}

// A sync brought threads or messages: reload, and tell the user when more are unread than before.
events.on('data.changed', ({ kinds }) => {
  if (!kinds.includes('message') && !kinds.includes('message_thread') && !kinds.includes('units')) return;
  const s = useMessages.getState();
  const before = s.unread;
  void s.refreshUnread().then((after) => {
    if (after > before) {
      notifyOs();
      // Which thread, so that "Visa" opens it: the newest activity with something unread (the list is newest first).
      void api.messages.list({ limit: 50 }).then((r) => {
        const thread = r.ok ? r.value.find((th) => th.unread > 0) : undefined;
        useMessages.setState({ notice: true, noticeThreadId: thread?.id ?? null });
      });
    }
  });
  if (s.status === 'ready') void s.load();
  const openId = s.openId;
  if (openId) {
    void api.messages.get({ threadId: openId }).then((r) => {
      if (r.ok && useMessages.getState().openId === openId) useMessages.setState({ detail: r.value });
    });
    void api.messages.markRead({ threadId: openId }).then(() => useMessages.getState().refreshUnread());
  }
});
