import { create } from 'zustand';
import type { AppError, AssuredFunction, CardStatus, Loa, LoginMethodsResponse, SessionState } from '#contract';
import { api, events } from '../bridge';

interface SessionStore {
  session: SessionState | null;
  card: CardStatus | null;
  loggingIn: boolean;
  loginError: AppError | null;
  init(): Promise<void>;
  login(pin: string): Promise<boolean>;
  /** Picks the reader to log in with (kept for this workstation). */
  selectReader(reader: string): Promise<void>;
  /** DEMO ONLY: puts a demo person's card in the built-in demo reader (null pulls it). */
  insertDemoCard(id: string | null): Promise<void>;
  logout(): Promise<void>;
  /** Which logins the server offers and what each level opens (null until asked, or from an older server). */
  methods: LoginMethodsResponse | null;
  /** Login through the organisation's identity provider in the system browser; `loa` 3 to step up. */
  loginWithIdp(loa?: Loa): Promise<boolean>;
}

/** The level a function needs, by the server's table; a server without one (before issue 29) asks LoA3 for everything. */
export const levelIn = (methods: LoginMethodsResponse | null, fn: AssuredFunction): number => methods?.assurance?.find((r) => r.function === fn)?.loa ?? 3;

/** Listeners that drop sensitive renderer state when the session locks or the user changes. */
const clearers = new Set<() => void>();
export const onSessionCleared = (fn: () => void): (() => void) => (clearers.add(fn), () => clearers.delete(fn));
const clearSensitive = () => clearers.forEach((fn) => fn());

export const useSession = create<SessionStore>((set, get) => ({
  session: null,
  card: null,
  loggingIn: false,
  loginError: null,
  methods: null,
  async init() {
    // The browser host cannot open the system browser itself: it asks this page to open a tab (issue 29).
    events.on('session.openExternal', ({ url }) => {
      if (/^https?:\/\//.test(url)) window.open(url, '_blank', 'noopener');
    });
    void api.session.methods({}).then((m) => {
      if (m.ok) set({ methods: m.value });
    });
    events.on('session.changed', (s) => {
      const prev = get().session;
      if (s.state !== 'active' || (prev?.user && s.user && prev.user.hsaId !== s.user.hsaId)) clearSensitive();
      set({ session: s });
    });
    events.on('session.locked', () => clearSensitive());
    events.on('card.changed', (card) => set({ card }));
    const [s, c] = await Promise.all([api.session.status({}), api.card.status({})]);
    if (s.ok) set({ session: s.value });
    if (c.ok) set({ card: c.value });
  },
  async login(pin) {
    set({ loggingIn: true, loginError: null });
    const r = await api.session.login({ pin });
    if (r.ok) {
      set({ session: r.value, loggingIn: false });
      return true;
    }
    set({ loginError: r.error, loggingIn: false });
    const c = await api.card.status({});
    if (c.ok) set({ card: c.value });
    return false;
  },
  async loginWithIdp(loa) {
    set({ loggingIn: true, loginError: null });
    const r = await api.session.loginWithIdp(loa ? { loa } : {});
    if (r.ok) {
      set({ session: r.value, loggingIn: false });
      return true;
    }
    set({ loginError: r.error, loggingIn: false });
    return false;
  },
  async selectReader(reader) {
    // The radio shows the choice at once; the answer then brings the reader's PIN status (or, on
    // a refusal, the previous choice back).
    const before = get().card;
    if (before) set({ card: { ...before, selectedReader: reader } });
    const r = await api.card.selectReader({ reader });
    if (r.ok) set({ card: r.value, loginError: null });
    else set({ card: get().card === null ? null : before, loginError: r.error });
  },
  async insertDemoCard(id) {
    const r = await api.card.insertDemoCard({ id });
    if (r.ok) set({ card: r.value, loginError: null });
    else set({ loginError: r.error });
  },
  async logout() {
    clearSensitive();
    const r = await api.session.logout({});
    if (r.ok) set({ session: r.value });
  },
}));

/** Key and pointer activity, sent at most every 30 s, keeps the idle lock away. */
export function trackActivity(target: Window): () => void {
  let last = 0;
  const onActivity = () => {
    const now = Date.now();
    if (now - last < 30_000 || useSession.getState().session?.state !== 'active') return;
    last = now;
    void api.session.activity({});
  };
  const kinds = ['keydown', 'pointerdown', 'wheel'] as const;
  kinds.forEach((k) => target.addEventListener(k, onActivity, { passive: true }));
  return () => kinds.forEach((k) => target.removeEventListener(k, onActivity));
}
