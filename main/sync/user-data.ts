import path from 'node:path';
import {
  AppFailure,
  because,
  StoreUnreadableCause,
  type EventName,
  type EventPayload,
  type LoginUser,
  type StoreResyncResult,
  type StoreStatus,
} from '#contract';
import { isStoreUnreadable, KEY_VAULT_UNAVAILABLE } from '../store/errors';
import type { LocalStore } from '../store/types';
import { SyncEngine, type SyncEngineOptions } from './sync-engine';

export type OpenStore = (user: LoginUser) => Promise<LocalStore>;
/** Moves the user's store files aside (never deletes them): `resetLocalStore` in main/store. */
export type ResetStore = (user: LoginUser) => Promise<{ movedAside: string[] }>;
type LogLine = (obj: Record<string, unknown>, msg: string) => void;

export interface UserDataOptions {
  openStore: OpenStore;
  resetStore: ResetStore;
  /** The session's token; throws SESSION_LOCKED / UNAUTHENTICATED without an active session. */
  token: () => string;
  serverUrl: string;
  emit: <E extends EventName>(name: E, payload: EventPayload<E>) => void;
  engine?: Partial<Omit<SyncEngineOptions, 'store' | 'serverUrl' | 'token' | 'emit'>>;
  log?: LogLine;
  /** The local audit line of a resync; never personal data (hashed file names, no HSA-ID, no paths). */
  audit?: LogLine;
  /**
   * Which store the user's session opens (default her HSA-ID): with one store per assurance level
   * (issue 29, main/store/index.ts) a step up from LoA2 to LoA3 is another store, opened afresh.
   */
  storeId?: (user: LoginUser) => string;
}

interface Opened {
  hsaId: string;
  store: LocalStore;
  engine: SyncEngine;
}

interface Opening {
  hsaId: string;
  ready: Promise<Opened>;
}

const status = (state: StoreStatus['state'], cause: StoreStatus['cause'] = null, failure: StoreStatus['failure'] = null): StoreStatus => ({ state, cause, failure });

/** What a failed open means for the user: unreadable (a resync helps) or failed (it would not). */
function failedStatus(e: unknown): StoreStatus {
  if (isStoreUnreadable(e)) {
    const cause = StoreUnreadableCause.safeParse(e.details?.['cause']);
    return status('unreadable', cause.success ? cause.data : 'wrong_key_or_corrupt');
  }
  if (e instanceof AppFailure && e.details?.['reason'] === KEY_VAULT_UNAVAILABLE) return status('failed', null, 'key_vault_unavailable');
  return status('failed', null, 'other');
}

/**
 * What of an error may go into a log line: our own AppFailures carry non-personal Swedish messages
 * and a hashed file name; anything else (an fs error names the full path, with the user's folder)
 * only by its code.
 */
function loggable(e: unknown): Record<string, unknown> {
  if (e instanceof AppFailure) return { code: e.code, err: e.message, ...(e.details ? { details: e.details } : {}) };
  const errno = (e as NodeJS.ErrnoException | undefined)?.code;
  return { code: 'INTERNAL', err: errno ?? (e as Error | undefined)?.name ?? 'Error' };
}

/**
 * The signed-in user's data on this workstation: their encrypted store and the sync engine over
 * it, alive exactly while the session is unlocked. `open` after a login, `close` on lock — the
 * store closes and its key leaves memory. Opening and closing are serialised, so a quick
 * lock-unlock or a card swap never sees two stores of one file, or the wrong user's store.
 *
 * The store's state is `status()` and the `store.status` event. A store that cannot be read stays
 * 'unreadable' (data calls answer STORE_UNREADABLE) until the user asks for `resync`, which moves
 * its files aside and fills a fresh store from the server.
 */
export class UserData {
  private opening: Opening | null = null;
  private lifecycle: Promise<unknown> = Promise.resolve();
  private state: StoreStatus = status('closed');

  constructor(private readonly opts: UserDataOptions) {}

  private idOf(user: LoginUser): string {
    return this.opts.storeId ? this.opts.storeId(user) : user.hsaId;
  }

  /** After a successful login: opens the user's store (if not open) and starts syncing. */
  open(user: LoginUser): void {
    if (this.opening?.hsaId === this.idOf(user)) return;
    if (this.opening) void this.close();
    this.begin({ hsaId: this.idOf(user), ready: this.lifecycle.then(() => this.start(user)) }, status('opening'));
  }

  /** On lock or logout: stop syncing, close the store, drop the key. Resolves when done. */
  close(): Promise<void> {
    const prev = this.opening;
    this.opening = null;
    if (!prev) return this.lifecycle.then(() => undefined);
    const done = this.lifecycle.then(async () => {
      const o = await prev.ready.catch(() => null);
      if (o) await this.stop(o);
    });
    this.lifecycle = done
      .catch((e: unknown) => this.opts.log?.(loggable(e), 'closing the local store failed'))
      .then(() => this.publish(null, status('closed')));
    return this.lifecycle.then(() => undefined);
  }

  /** The store's state as the renderer shows it ('closed' once a close has finished). */
  status(): StoreStatus {
    return this.state;
  }

  /**
   * The way out of an unreadable store, for the signed-in user only and only while the store is
   * 'unreadable': whatever is open closes, the files are moved aside (never deleted — unsent
   * writes in them stay recoverable with the `.key` beside them), a fresh store opens and the
   * engine fills it from the server. Answers where the old files are.
   */
  async resync(user: LoginUser): Promise<StoreResyncResult> {
    this.opts.token();
    const prev = this.opening;
    if (!prev || prev.hsaId !== this.idOf(user) || this.state.state !== 'unreadable') {
      throw new AppFailure('CONFLICT', 'the local store needs no resync', because('STORE_NOT_UNREADABLE', { state: this.state.state }));
    }
    const cause = this.state.cause;
    let movedAside: string[] = [];
    let resetFailed: unknown = null;
    const ready = this.lifecycle.then(async () => {
      const o = await prev.ready.catch(() => null); // an unreadable store has nothing open; if it had, it closes first
      if (o) await this.stop(o);
      try {
        movedAside = (await this.opts.resetStore(user)).movedAside;
      } catch (e) {
        // Nothing is deleted by a failed move; the store stays unreadable and data calls keep saying so.
        resetFailed = e;
        return prev.ready;
      }
      return this.start(user);
    });
    const entry: Opening = { hsaId: this.idOf(user), ready };
    this.begin(entry, status('resyncing', cause));
    try {
      await ready;
    } catch (e) {
      const failed = resetFailed ?? e;
      this.opts.audit?.({ event: 'store.resync', outcome: 'failed', cause, ...loggable(failed), keptAside: movedAside.map((f) => path.basename(f)) }, 'local store resync failed');
      if (resetFailed) throw new AppFailure('INTERNAL', 'the old files could not be moved aside; nothing was deleted', { reason: 'STORE_RESET_FAILED' });
      throw failed;
    }
    if (this.opening !== entry) throw new AppFailure('SESSION_LOCKED', 'locked during the resync', because('LOCKED_DURING_RESYNC'));
    const files = movedAside.map((f) => path.basename(f));
    this.opts.audit?.({ event: 'store.resync', outcome: 'ok', cause, keptAside: files }, 'unreadable local store moved aside; a fresh store syncs from the server');
    return { keptAside: { folder: movedAside[0] ? path.dirname(movedAside[0]) : null, files }, status: this.state };
  }

  /** The open store and engine; refuses without an unlocked session. */
  async current(): Promise<Opened> {
    this.opts.token();
    const o = this.opening;
    if (!o) throw new AppFailure('SESSION_LOCKED', 'the workstation is locked');
    try {
      return await o.ready;
    } catch (e) {
      if (e instanceof AppFailure) throw e;
      throw new AppFailure('INTERNAL', 'the local store could not be opened', because('STORE_OPEN_FAILED'));
    }
  }

  async store(): Promise<LocalStore> {
    return (await this.current()).store;
  }

  async engine(): Promise<SyncEngine> {
    return (await this.current()).engine;
  }

  /** Makes `entry` the current store, serialised after whatever runs; its outcome becomes the status. */
  private begin(entry: Opening, initial: StoreStatus): void {
    this.opening = entry;
    this.lifecycle = entry.ready.catch(() => undefined);
    this.publish(entry, initial);
    entry.ready.then(
      () => this.publish(entry, status('open')),
      (e: unknown) => {
        const s = failedStatus(e);
        this.opts.log?.({ event: 'store.open_failed', state: s.state, ...loggable(e) }, 'the local store could not be opened');
        this.publish(entry, s);
      },
    );
  }

  private async start(user: LoginUser): Promise<Opened> {
    const store = await this.opts.openStore(user);
    const engine = new SyncEngine({
      ...this.opts.engine,
      store,
      serverUrl: this.opts.serverUrl,
      token: this.opts.token,
      emit: this.opts.emit,
      ...(this.opts.log ? { log: this.opts.log } : {}),
    });
    engine.start();
    return { hsaId: this.idOf(user), store, engine };
  }

  private async stop(o: Opened): Promise<void> {
    await o.engine.stop();
    await o.store.close();
  }

  /** A state change of the current entry (a stale one — the user locked or changed meanwhile — says nothing). */
  private publish(entry: Opening | null, next: StoreStatus): void {
    if (entry !== this.opening) return;
    this.state = next;
    this.opts.emit('store.status', next);
  }
}
