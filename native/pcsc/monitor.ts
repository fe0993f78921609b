import { AppFailure } from '#contract';
import { hex } from '../apdu/command';
import type { CardEvent, CardEventListener, CardMonitor, ReaderInfo } from '../readers';
import { loadAddon, parseReaderNames, type RawContext, type RawReader } from './binding';
import { unavailable } from './errors';
import { openReader, readerState, type ReaderState } from './snapshot';

export interface PcscMonitorOptions {
  /** Reader + ATR poll interval (fallback for missed status changes, and reconnecting to a restarted pcscd). 0 = off. */
  pollMs?: number;
  /** Use SCardGetStatusChange notifications (default true). Off = poll only. */
  statusEvents?: boolean;
}

interface Watched {
  name: string;
  watcher?: RawReader;
  state?: ReaderState;
  /** Bumped by every watcher event, so a poll that raced with one is discarded. */
  seq: number;
  ready: Promise<void>;
  markReady: () => void;
}

/**
 * Readers appearing and disappearing, cards inserted and removed, by PC/SC status change
 * notifications, with a reader + ATR poll as fallback. Emits CardEvents; keeps a snapshot.
 * When pcscd goes away it reports `unavailable` (and every card as removed) and keeps trying to
 * reconnect at the poll interval.
 */
export class PcscMonitor implements CardMonitor {
  private readonly listeners = new Set<CardEventListener>();
  private readonly watched = new Map<string, Watched>();
  private ctx: RawContext | undefined;
  private error: AppFailure | undefined;
  private started: Promise<void> | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private polling = false;
  private closed = false;
  private readonly pollMs: number;
  private readonly statusEvents: boolean;

  constructor(opts: PcscMonitorOptions = {}) {
    this.pollMs = opts.pollMs ?? 1000;
    this.statusEvents = opts.statusEvents ?? true;
  }

  subscribe(listener: CardEventListener): () => void {
    this.listeners.add(listener);
    void this.start().catch(() => undefined);
    return () => this.listeners.delete(listener);
  }

  readers(): ReaderInfo[] {
    return [...this.watched.values()].map((w) => ({
      name: w.name,
      cardPresent: w.state?.present ?? false,
      ...(w.state?.present && w.state.atr ? { atrHex: hex(w.state.atr) } : {}),
    }));
  }

  /** The last error that made PC/SC unavailable, if it still is. */
  get unavailableError(): AppFailure | undefined {
    return this.error;
  }

  state(name: string): ReaderState | undefined {
    return this.watched.get(name)?.state;
  }

  has(name: string): boolean {
    return this.watched.has(name);
  }

  /** Starts (once) and resolves when the first enumeration and every reader's first status are known. */
  start(): Promise<void> {
    if (this.closed) return Promise.reject(new AppFailure('INTERNAL', 'monitor closed'));
    this.started ??= this.connect();
    if (this.pollMs > 0 && !this.pollTimer) {
      this.pollTimer = setInterval(() => void this.poll(), this.pollMs);
      this.pollTimer.unref();
    }
    return this.started;
  }

  /** Waits for the current enumeration; throws PCSC_UNAVAILABLE when pcscd is not running. */
  async ready(): Promise<void> {
    await this.start();
    if (this.error) {
      // Try once more right now (pcscd may have come back since the last poll).
      this.started = this.connect();
      await this.started;
      if (this.error) throw this.error;
    }
    await Promise.all([...this.watched.values()].map((w) => w.ready));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.teardown(false);
    this.listeners.clear();
  }

  private emit(e: CardEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        // a listener's failure is its own
      }
    }
  }

  private connect(): Promise<void> {
    return new Promise((resolve) => {
      const wasUnavailable = this.error !== undefined;
      let ctx: RawContext;
      try {
        ctx = new (loadAddon().PCSCLite)();
      } catch (e) {
        this.setUnavailable(e);
        resolve();
        return;
      }
      this.ctx = ctx;
      this.error = undefined;
      if (wasUnavailable) this.emit({ type: 'available' });
      let first = true;
      (ctx as unknown as { on(e: string, l: () => void): void }).on('error', () => undefined);
      ctx.start((err, buf) => {
        if (this.ctx !== ctx) return;
        if (err) {
          this.setUnavailable(err);
          if (first) resolve();
          first = false;
          return;
        }
        this.updateReaders(parseReaderNames(buf));
        if (first) {
          first = false;
          void Promise.all([...this.watched.values()].map((w) => w.ready)).then(() => resolve());
        }
      });
    });
  }

  private updateReaders(names: string[]): void {
    for (const name of names) if (!this.watched.has(name)) this.addReader(name);
    for (const name of [...this.watched.keys()]) if (!names.includes(name)) this.removeReader(name);
  }

  private addReader(name: string): void {
    let markReady!: () => void;
    const ready = new Promise<void>((r) => (markReady = r));
    const w: Watched = { name, seq: 0, ready, markReady };
    this.watched.set(name, w);
    this.emit({ type: 'reader-added', reader: name });
    if (this.statusEvents) this.watch(w);
    else void this.pollReader(w);
  }

  private watch(w: Watched): void {
    const { CardReader } = loadAddon();
    const r = new CardReader(w.name);
    w.watcher = r;
    r.on('error', () => undefined);
    r.on('_end', () => {
      if (w.watcher === r) w.watcher = undefined; // the poll restarts it if the reader is still there
    });
    r.get_status((err, state, atr) => {
      if (w.watcher !== r || this.watched.get(w.name) !== w) return;
      if (err) return; // watcher ends; the reader list or the poll decides what happened
      w.seq++;
      this.setState(w, readerState(state, atr));
    });
  }

  private setState(w: Watched, s: ReaderState): void {
    const before = w.state;
    w.state = s;
    w.markReady();
    if (before === undefined && !s.present) return;
    if (s.present && (!before?.present || !sameAtr(before.atr, s.atr))) {
      if (before?.present) this.emit({ type: 'card-removed', reader: w.name });
      this.emit({ type: 'card-inserted', reader: w.name, atrHex: s.atr ? hex(s.atr) : '' });
    } else if (!s.present && before?.present) {
      this.emit({ type: 'card-removed', reader: w.name });
    }
  }

  private removeReader(name: string): void {
    const w = this.watched.get(name);
    if (!w) return;
    this.watched.delete(name);
    const r = w.watcher;
    w.watcher = undefined;
    if (r) setImmediate(() => r.close());
    w.markReady();
    if (w.state?.present) this.emit({ type: 'card-removed', reader: name });
    this.emit({ type: 'reader-removed', reader: name });
  }

  private setUnavailable(e: unknown): void {
    const first = this.error === undefined;
    this.teardown(true);
    this.error = unavailable(e);
    if (first) this.emit({ type: 'unavailable', error: this.error.toError() });
  }

  private teardown(emit: boolean): void {
    const ctx = this.ctx;
    this.ctx = undefined;
    if (ctx) setImmediate(() => ctx.close());
    for (const name of [...this.watched.keys()]) {
      if (emit) this.removeReader(name);
      else {
        const r = this.watched.get(name)?.watcher;
        if (r) setImmediate(() => r.close());
        this.watched.delete(name);
      }
    }
  }

  /** The fallback: reconnect to a restarted pcscd; re-read each reader's state and ATR. */
  private async poll(): Promise<void> {
    if (this.polling || this.closed) return;
    this.polling = true;
    try {
      if (this.error) {
        this.started = this.connect();
        await this.started;
        return;
      }
      for (const w of [...this.watched.values()]) {
        if (this.statusEvents && !w.watcher) this.watch(w);
        await this.pollReader(w);
      }
    } finally {
      this.polling = false;
    }
  }

  private async pollReader(w: Watched): Promise<void> {
    const seq = w.seq;
    try {
      const { state } = await openReader(w.name);
      if (this.watched.get(w.name) === w && w.seq === seq) this.setState(w, state);
    } catch {
      // reader gone or service stopped: the reader list / context error reports it
    }
  }
}

const sameAtr = (a?: Uint8Array, b?: Uint8Array): boolean =>
  (!a && !b) || (!!a && !!b && a.length === b.length && a.every((x, i) => x === b[i]));
