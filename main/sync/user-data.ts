import { AppFailure, type EventName, type EventPayload, type LoginUser } from '../../contract';
import type { LocalStore } from '../store/types';
import { SyncEngine, type SyncEngineOptions } from './sync-engine';

export type OpenStore = (user: LoginUser) => Promise<LocalStore>;

export interface UserDataOptions {
  openStore: OpenStore;
  /** The session's token; throws SESSION_LOCKED / UNAUTHENTICATED without an active session. */
  token: () => string;
  serverUrl: string;
  emit: <E extends EventName>(name: E, payload: EventPayload<E>) => void;
  engine?: Partial<Omit<SyncEngineOptions, 'store' | 'serverUrl' | 'token' | 'emit'>>;
  log?: (obj: Record<string, unknown>, msg: string) => void;
}

interface Opened {
  hsaId: string;
  store: LocalStore;
  engine: SyncEngine;
}

/**
 * The signed-in user's data on this workstation: their encrypted store and the sync engine over
 * it, alive exactly while the session is unlocked. `open` after a login, `close` on lock — the
 * store closes and its key leaves memory. Opening and closing are serialised, so a quick
 * lock-unlock or a card swap never sees two stores of one file, or the wrong user's store.
 */
export class UserData {
  private opening: { hsaId: string; ready: Promise<Opened> } | null = null;
  private lifecycle: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: UserDataOptions) {}

  /** After a successful login: opens the user's store (if not open) and starts syncing. */
  open(user: LoginUser): void {
    if (this.opening?.hsaId === user.hsaId) return;
    if (this.opening) this.close();
    const ready = this.lifecycle.then(async () => {
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
      return { hsaId: user.hsaId, store, engine };
    });
    ready.catch((e: unknown) => this.opts.log?.({ err: (e as Error).message }, 'the local store could not be opened'));
    this.opening = { hsaId: user.hsaId, ready };
    this.lifecycle = ready.catch(() => undefined);
  }

  /** On lock or logout: stop syncing, close the store, drop the key. Resolves when done. */
  close(): Promise<void> {
    const prev = this.opening;
    this.opening = null;
    if (!prev) return this.lifecycle.then(() => undefined);
    const done = this.lifecycle.then(async () => {
      const o = await prev.ready.catch(() => null);
      if (!o) return;
      await o.engine.stop();
      await o.store.close();
    });
    this.lifecycle = done.catch((e: unknown) => this.opts.log?.({ err: (e as Error).message }, 'closing the local store failed'));
    return this.lifecycle.then(() => undefined);
  }

  /** The open store and engine; refuses without an unlocked session. */
  async current(): Promise<Opened> {
    this.opts.token();
    const o = this.opening;
    if (!o) throw new AppFailure('SESSION_LOCKED', 'Arbetsstationen är låst');
    try {
      return await o.ready;
    } catch (e) {
      if (e instanceof AppFailure) throw e;
      throw new AppFailure('INTERNAL', `Den lokala databasen kunde inte öppnas: ${(e as Error).message}`);
    }
  }

  async store(): Promise<LocalStore> {
    return (await this.current()).store;
  }

  async engine(): Promise<SyncEngine> {
    return (await this.current()).engine;
  }
}
