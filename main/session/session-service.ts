import {
  AppFailure,
  authRoutes,
  passwordLoginRoutes,
  type CardStatus,
  type LoginResponse,
  type LoginUser,
  type PasswordStartInput,
  type PasswordStep,
  type PermittedUnit,
  type SessionAssurance,
  type SessionState,
} from '#contract';
import { wipe } from '../../native/pin';
import type { CardEvent } from '../../native/readers';
import type { EventHub } from '../events';
import type { ServerClient } from '../server-client';
import type { CardAccess } from './card-access';
import { signedLoginRequest } from './card-login';
import { memoryReaderChoice, type ReaderChoice } from './reader-choice';

export const DEFAULT_IDLE_TIMEOUT_MS = 15 * 60_000;

export interface SessionOptions {
  server: ServerClient;
  card: CardAccess;
  events: EventHub;
  idleTimeoutMs?: number;
  /** Shown in the server's access log; no personal data. */
  workstationName?: string;
  /** Where the reader chosen on this workstation is kept (default: memory only). */
  readerChoice?: ReaderChoice;
}

type LockReason = NonNullable<SessionState['lockedReason']>;
type Listener = (reason: LockReason) => void;

/**
 * The user's session on this workstation: card-signed login, lock on card removal or idle, and
 * renewal of the short-lived server token while the card stays in. The token lives only here, in
 * memory; locking drops it and tells every service to clear what it holds (`onLock`).
 */
export class SessionService {
  private state: SessionState['state'] = 'logged_out';
  private lockedReason: LockReason | null = null;
  private user: LoginUser | null = null;
  private units: PermittedUnit[] = [];
  /** How the active session was opened and at which level (the card: LoA3). */
  private assurance: SessionAssurance = { method: 'card', loa: 3 };
  /** The API version the server stated at the last login (1: it stated none, a release before the handshake). */
  private serverApiVersion: number | undefined;
  private token: string | null = null;
  private sessionReader: string | null = null;
  private serviceAvailable = true;
  private readonly pin = new Map<string, { triesLeft: number | null; blocked: boolean }>();
  private loginInFlight = false;
  /** A password login's second step: the server's token for it (never leaves main). */
  private passwordStep: string | null = null;
  private idleTimer: NodeJS.Timeout | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private readonly lockListeners = new Set<Listener>();
  private readonly unsubscribeCard: () => void;
  readonly idleTimeoutMs: number;
  private readonly readerChoice: ReaderChoice;
  private chosenReader: string | null;

  constructor(private readonly opts: SessionOptions) {
    this.idleTimeoutMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.readerChoice = opts.readerChoice ?? memoryReaderChoice();
    this.chosenReader = this.readerChoice.load();
    this.unsubscribeCard = opts.card.monitor.subscribe((e) => this.onCardEvent(e));
  }

  status(): SessionState {
    return {
      state: this.state,
      user: this.user,
      units: this.state === 'active' ? this.units : [],
      lockedReason: this.state === 'locked' ? this.lockedReason : null,
      idleTimeoutMs: this.idleTimeoutMs,
      ...(this.state === 'active' && this.serverApiVersion !== undefined ? { serverApiVersion: this.serverApiVersion } : {}),
      ...(this.state === 'active' ? { assurance: this.assurance } : {}),
    };
  }

  cardStatus(): CardStatus {
    const readers = this.serviceAvailable ? this.opts.card.monitor.readers() : [];
    const selected = this.selectedReader();
    return {
      service: this.serviceAvailable ? 'ok' : 'unavailable',
      readers: readers.map((r) => ({ name: r.name, cardPresent: r.cardPresent })),
      selectedReader: selected,
      pin: selected ? (this.pin.get(selected) ?? null) : null,
      ...(this.opts.card.demo ? { demo: this.opts.card.demo.status() } : {}),
    };
  }

  /**
   * DEMO ONLY: puts a demo person's card in the built-in demo reader (pulling the one there, which
   * locks a session on it, as pulling a real card does) and makes that reader the one to log in with.
   */
  async insertDemoCard(id: string | null): Promise<CardStatus> {
    const demo = this.opts.card.demo;
    if (!demo) throw new AppFailure('NOT_FOUND', 'no demo reader here');
    await demo.insert(id);
    if (id !== null) this.chosenReader = demo.status().reader;
    this.emitCard();
    return this.cardStatus();
  }

  /**
   * The reader login uses: the one chosen on this workstation when it holds a card, else the only
   * reader holding a card; with several cards and no choice among them, none (the user picks).
   */
  private selectedReader(): string | null {
    if (!this.serviceAvailable) return null;
    const withCard = this.opts.card.monitor.readers().filter((r) => r.cardPresent).map((r) => r.name);
    if (this.chosenReader && withCard.includes(this.chosenReader)) return this.chosenReader;
    return withCard.length === 1 ? withCard[0]! : null;
  }

  /** The user picks a reader; the choice is kept for this workstation. */
  selectReader(reader: string): CardStatus {
    if (!this.opts.card.monitor.readers().some((r) => r.name === reader)) throw new AppFailure('NO_READER', 'no such card reader', { reader });
    this.chosenReader = reader;
    this.readerChoice.save(reader);
    if (!this.pin.has(reader)) void this.refreshPin(reader);
    this.emitCard();
    return this.cardStatus();
  }

  /** Services register here to drop what they hold (caches, store keys) when the session locks. */
  onLock(listener: Listener): () => void {
    this.lockListeners.add(listener);
    return () => this.lockListeners.delete(listener);
  }

  /** The token for a server call; refuses when there is no active session. */
  requireToken(): string {
    if (this.state === 'active' && this.token) return this.token;
    throw this.state === 'locked'
      ? new AppFailure('SESSION_LOCKED', 'the workstation is locked')
      : new AppFailure('UNAUTHENTICATED', 'no user logged in');
  }

  async login(input: { pin: string; reader?: string }): Promise<SessionState> {
    if (this.loginInFlight) throw new AppFailure('CONFLICT', 'a login is already in progress');
    this.loginInFlight = true;
    const pinBytes = new TextEncoder().encode(input.pin);
    try {
      const reader = this.pickReader(input.reader);
      const { server, card } = this.opts;
      const body = await signedLoginRequest(
        server,
        async (digests) => {
          try {
            return await card.sign(reader, pinBytes, digests, 'SHA-256');
          } catch (e) {
            this.notePinFailure(reader, e);
            throw e;
          } finally {
            wipe(pinBytes);
          }
        },
        this.opts.workstationName ? { workstation: this.opts.workstationName } : {},
      );
      this.pin.delete(reader);
      void this.refreshPin(reader);
      const res = await server.call(authRoutes.login, { body });
      // Still the card the PIN was given for? A removal during the round trip wins.
      if (!this.cardPresent(reader)) {
        void server.call(authRoutes.logout, { token: res.token }).catch(() => undefined);
        throw new AppFailure('CARD_REMOVED', 'the card was removed during the login');
      }
      return this.activate(res, reader);
    } finally {
      wipe(pinBytes);
      this.loginInFlight = false;
    }
  }

  /**
   * Login through the organisation's identity provider (issue 29): `browserLogin` runs the system
   * browser's round trip (main/session/oidc-login.ts) and answers the server's session. No card:
   * the session is renewed while the workstation is used, until the server ends it.
   */
  async loginWithIdp(browserLogin: () => Promise<LoginResponse>): Promise<SessionState> {
    if (this.loginInFlight) throw new AppFailure('CONFLICT', 'a login is already in progress');
    this.loginInFlight = true;
    try {
      return this.activate(await browserLogin(), null);
    } finally {
      this.loginInFlight = false;
    }
  }

  /**
   * Without the card (issue 29, docs/login.md "Lösenord och engångskod"): the password, then the
   * one-time code. The step's token stays here, in memory, never in the renderer; a new start
   * replaces it; the session it opens rests on no card (it locks when idle or logged out).
   */
  async passwordStart(input: PasswordStartInput): Promise<PasswordStep> {
    if (this.loginInFlight) throw new AppFailure('CONFLICT', 'a login is already in progress');
    this.loginInFlight = true;
    try {
      this.passwordStep = null;
      const workstation = this.opts.workstationName;
      const res = await this.opts.server.call(passwordLoginRoutes.start, { body: { ...input, ...(workstation ? { workstation } : {}) } });
      this.passwordStep = res.loginToken;
      const { loginToken: _token, ...step } = res;
      return step;
    } finally {
      this.loginInFlight = false;
    }
  }

  private activate(res: LoginResponse, reader: string | null): SessionState {
    const previous = this.user;
    const previousLoa = this.state === 'active' ? this.assurance.loa : null;
    this.token = res.token;
    this.user = res.user;
    this.units = res.units;
    this.serverApiVersion = res.apiVersion ?? 1;
    this.assurance = res.assurance ?? { method: 'card', loa: 3 };
    this.sessionReader = reader;
    this.state = 'active';
    this.lockedReason = null;
    // Another person, or the same at another level (another store): what the old session held goes.
    if (previous && (previous.hsaId !== res.user.hsaId || (previousLoa !== null && previousLoa !== this.assurance.loa))) this.notifyLock('other_card');
    this.scheduleRenew(Date.parse(res.expiresAt));
    this.touch();
    this.emitSession();
    return this.status();
  }

  async passwordVerify(input: { code: string }): Promise<SessionState> {
    const loginToken = this.passwordStep;
    if (!loginToken) throw new AppFailure('OTP_INVALID', 'no login waits for a code; start again with user name and password');
    if (this.loginInFlight) throw new AppFailure('CONFLICT', 'a login is already in progress');
    this.loginInFlight = true;
    try {
      const workstation = this.opts.workstationName;
      const res = await this.opts.server.call(passwordLoginRoutes.verify, { body: { loginToken, code: input.code, ...(workstation ? { workstation } : {}) } });
      this.passwordStep = null;
      this.activate(res, null);
      return this.status();
    } finally {
      this.loginInFlight = false;
    }
  }

  async logout(): Promise<SessionState> {
    const token = this.token;
    this.clearSession();
    this.state = 'logged_out';
    this.user = null;
    this.lockedReason = null;
    this.notifyLock('logout');
    this.opts.events.emit('session.locked', { reason: 'logout' });
    this.emitSession();
    if (token) await this.opts.server.call(authRoutes.logout, { token }).catch(() => undefined);
    return this.status();
  }

  lock(reason: LockReason): void {
    if (this.state !== 'active') return;
    const token = this.token;
    this.clearSession();
    this.state = 'locked';
    this.lockedReason = reason;
    this.notifyLock(reason);
    this.opts.events.emit('session.locked', { reason });
    this.emitSession();
    // The server session ends too: a token left behind on a locked workstation is a token to steal.
    if (token) void this.opts.server.call(authRoutes.logout, { token }).catch(() => undefined);
  }

  /** The user did something: the idle clock starts over. */
  touch(): void {
    if (this.state !== 'active') return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.lock('idle'), this.idleTimeoutMs);
    this.idleTimer.unref?.();
  }

  async close(): Promise<void> {
    this.unsubscribeCard();
    if (this.state === 'active') await this.logout();
    this.clearSession();
  }

  private clearSession(): void {
    clearTimeout(this.idleTimer);
    clearTimeout(this.renewTimer);
    this.token = null;
    this.units = [];
    this.sessionReader = null;
  }

  private notifyLock(reason: LockReason): void {
    for (const l of this.lockListeners) l(reason);
  }

  private pickReader(requested: string | undefined): string {
    if (!this.serviceAvailable) throw new AppFailure('PCSC_UNAVAILABLE', 'the PC/SC service is not running');
    const readers = this.opts.card.monitor.readers();
    if (readers.length === 0) throw new AppFailure('NO_READER', 'no card reader found');
    const name = requested ?? this.selectedReader();
    if (!requested && !name && readers.filter((r) => r.cardPresent).length > 1)
      throw new AppFailure('VALIDATION', 'cards in several readers: choose one');
    const reader = name ? readers.find((r) => r.name === name) : undefined;
    if (!reader) throw new AppFailure(requested ? 'NO_READER' : 'NO_CARD', requested ? 'no such card reader' : 'no card in the reader');
    if (!reader.cardPresent) throw new AppFailure('NO_CARD', 'no card in the reader');
    return reader.name;
  }

  private cardPresent(reader: string): boolean {
    return this.opts.card.monitor.readers().some((r) => r.name === reader && r.cardPresent);
  }

  private notePinFailure(reader: string, e: unknown): void {
    if (!(e instanceof AppFailure)) return;
    // A PKCS#11 module may not say how many tries are left: unknown, not zero.
    if (e.code === 'PIN_WRONG') this.pin.set(reader, { triesLeft: typeof e.details?.triesLeft === 'number' ? e.details.triesLeft : null, blocked: false });
    if (e.code === 'PIN_BLOCKED') this.pin.set(reader, { triesLeft: 0, blocked: true });
    this.emitCard();
  }

  private async refreshPin(reader: string): Promise<void> {
    try {
      const s = await this.opts.card.pinStatus(reader);
      this.pin.set(reader, { triesLeft: s.triesLeft ?? null, blocked: s.blocked });
    } catch {
      this.pin.delete(reader);
    }
    this.emitCard();
  }

  private scheduleRenew(expiresAt: number): void {
    clearTimeout(this.renewTimer);
    const lifetime = Math.max(expiresAt - Date.now(), 10_000);
    // Renew at two thirds of the token's life, while the card is still in.
    this.renewTimer = setTimeout(() => void this.renew(), Math.floor((lifetime * 2) / 3));
    this.renewTimer.unref?.();
  }

  private async renew(): Promise<void> {
    const token = this.token;
    // A card session is renewed while its card stays in; one without a card (the IdP's) while the workstation is used.
    if (this.state !== 'active' || !token || (this.sessionReader !== null && !this.cardPresent(this.sessionReader))) return;
    if (this.sessionReader === null && this.assurance.method === 'card') return;
    try {
      const r = await this.opts.server.call(authRoutes.renew, { token });
      if (this.token === token) this.scheduleRenew(Date.parse(r.expiresAt));
    } catch (e) {
      // The server ended the session (e.g. the IdP's back-channel logout, server/auth/oidc.ts): the login screen says so.
      if (e instanceof AppFailure && e.code === 'UNAUTHENTICATED') this.lock('ended');
      else if (this.token === token) this.scheduleRenew(Date.now() + 30_000);
    }
  }

  private onCardEvent(e: CardEvent): void {
    switch (e.type) {
      case 'card-removed':
        this.pin.delete(e.reader);
        if (e.reader === this.sessionReader) this.lock('card_removed');
        break;
      case 'reader-removed':
        this.pin.delete(e.reader);
        if (e.reader === this.sessionReader) this.lock('card_removed');
        break;
      case 'unavailable':
        this.serviceAvailable = false;
        this.pin.clear();
        if (this.sessionReader) this.lock('card_removed');
        break;
      case 'available':
        this.serviceAvailable = true;
        break;
      case 'card-inserted':
        void this.refreshPin(e.reader);
        break;
      default:
        break;
    }
    this.emitCard();
  }

  private emitCard(): void {
    this.opts.events.emit('card.changed', this.cardStatus());
  }

  private emitSession(): void {
    this.opts.events.emit('session.changed', this.status());
  }
}
