import { AppFailure, type AppError } from '#contract';
import type { CardEvent, CardEventListener, CardMonitor, CardReaders, ConnectedCard, ReaderInfo, WithCardOptions } from '../../readers';
import { PCSC_UNAVAILABLE_MESSAGE } from '../errors';
import { launchHost, sourceHostEntry, type HostProcess } from './launch';
import { fromHex, toHex, type Begun, type HostMessage, type HostRequest } from './protocol';

export interface HostedReadersOptions {
  /** The host's entry: the bundle dist/main/pcsc-host.cjs in the app; default the source bootstrap. */
  entry?: string;
  /** How to start it (tests may wrap it); default ./launch.ts. */
  launch?: (entry: string) => HostProcess;
  /** A host that has not said it is up this long after its start (loading its code) is killed and restarted. */
  startTimeoutMs?: number;
  /** A ping every this often … */
  pingIntervalMs?: number;
  /** … and a host that has not answered one within this is killed and restarted. */
  pingTimeoutMs?: number;
  /** Upper bound for one request (the host's own transmit bound is 30 s; this is a little more). */
  requestTimeoutMs?: number;
  /** Wait before starting a new host after one died (doubles while they keep dying, up to 10 s). */
  restartDelayMs?: number;
  /** How long `close()` lets the host close PC/SC before killing it. */
  closeGraceMs?: number;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: AppFailure) => void;
  timer: NodeJS.Timeout;
}

const hostGone = (why: string): AppFailure => new AppFailure('PCSC_UNAVAILABLE', PCSC_UNAVAILABLE_MESSAGE, { host: why });
const fromError = (e: AppError): AppFailure => new AppFailure(e.code, e.message, e.details);

/**
 * The PC/SC reader stack in a process of its own: a `CardReaders` that forwards every call to a
 * host process owning `PcscReaders` (./main.ts), so the pcsclite addon — whose `close()` joins a
 * thread waiting on pcscd with no time limit — never runs on the caller's thread. `withCard` is
 * `begin` (connect), one round trip per APDU, `end` (disconnect); card events stream from the
 * host and the last reader snapshot is kept here for the synchronous `readers()`.
 *
 * Every wait is bounded: a host that dies, does not start within `startTimeoutMs`, does not
 * answer a ping within `pingTimeoutMs` or a request within `requestTimeoutMs` is killed; the
 * readers are reported gone and `unavailable`,
 * operations in flight fail (PCSC_UNAVAILABLE; the one that timed out CARD_ERROR), and a new host
 * is started. `close()` asks the host to close and kills it after `closeGraceMs`.
 */
export class HostedReaders implements CardReaders, CardMonitor {
  readonly monitor: CardMonitor = this;
  private readonly listeners = new Set<CardEventListener>();
  private readonly pending = new Map<number, Pending>();
  private snapshot: ReaderInfo[] = [];
  private host: HostProcess | undefined;
  /** Resolves when the current host said hello. */
  private hello: Promise<void> = Promise.resolve();
  private helloDone: () => void = () => undefined;
  private down = false;
  /** The current host has sent a card event. */
  private heardEvent = false;
  /** The current host has said it is up: from then on the ping bound applies. */
  private up = false;
  private closed = false;
  private nextId = 1;
  private pingTimer: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private pingSent: number | undefined;
  private lastPing = 0;
  private restartDelay: number;
  private startedAt = 0;
  private readonly entry: string;
  private readonly launch: (entry: string) => HostProcess;
  private readonly startTimeoutMs: number;
  private readonly pingIntervalMs: number;
  private readonly pingTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly restartDelayMs: number;
  private readonly closeGraceMs: number;

  constructor(opts: HostedReadersOptions = {}) {
    this.entry = opts.entry ?? sourceHostEntry();
    this.launch = opts.launch ?? launchHost;
    this.startTimeoutMs = opts.startTimeoutMs ?? 30_000;
    this.pingIntervalMs = opts.pingIntervalMs ?? 2_000;
    this.pingTimeoutMs = opts.pingTimeoutMs ?? 5_000;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 35_000;
    this.restartDelayMs = opts.restartDelayMs ?? 500;
    this.restartDelay = this.restartDelayMs;
    this.closeGraceMs = opts.closeGraceMs ?? 2_000;
    this.start();
    this.pingTimer = setInterval(() => this.checkAlive(), Math.max(50, Math.min(this.pingIntervalMs, this.pingTimeoutMs) / 2));
    this.pingTimer.unref();
  }

  /** The current host's process id (tests stop and kill it). */
  get pid(): number | undefined {
    return this.host?.pid;
  }

  readers(): ReaderInfo[] {
    return this.snapshot;
  }

  subscribe(listener: CardEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async listReaders(): Promise<ReaderInfo[]> {
    await this.helloWithin();
    return (await this.request({ op: 'list' })) as ReaderInfo[];
  }

  async withCard<T>(reader: string, fn: (card: ConnectedCard) => Promise<T>, opts: WithCardOptions = {}): Promise<T> {
    await this.helloWithin();
    const host = this.host;
    // The host queues operations on one reader: a begin may wait for the one before it.
    const begun = (await this.request({ op: 'begin', reader, opts }, 2 * this.requestTimeoutMs)) as Begun;
    const transport = {
      transmit: async (apdu: Uint8Array) => fromHex((await this.request({ op: 'transmit', session: begun.session, apdu: toHex(apdu) })) as string),
    };
    try {
      return await fn({ reader, ...(begun.atrHex ? { atr: fromHex(begun.atrHex) } : {}), transport });
    } finally {
      // A host that died took the connection with it (pcscd disconnects a dead client's handles).
      if (this.host === host) await this.request({ op: 'end', session: begun.session }).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.pingTimer);
    clearTimeout(this.restartTimer);
    this.listeners.clear();
    const host = this.host;
    this.host = undefined;
    this.failPending(hostGone('closed'));
    if (!host) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        host.kill();
        resolve();
      }, this.closeGraceMs);
      host.onExit(() => {
        clearTimeout(timer);
        resolve();
      });
      host.send({ id: 0, op: 'close' });
    });
  }

  private start(): void {
    const host = this.launch(this.entry);
    this.host = host;
    this.startedAt = Date.now();
    this.pingSent = undefined;
    this.lastPing = Date.now();
    this.hello = new Promise((r) => (this.helloDone = r));
    this.heardEvent = false;
    this.up = false;
    host.onMessage((m) => {
      if (this.host === host) this.received(m);
    });
    host.onExit(() => {
      if (this.host === host) this.lost('exited');
    });
  }

  /** Waits for the current host's first enumeration, bounded; a host restarting is PCSC_UNAVAILABLE at once. */
  private async helloWithin(): Promise<void> {
    if (this.closed) throw hostGone('closed');
    if (!this.host) throw hostGone('restarting');
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(hostGone('no hello')), this.startTimeoutMs + this.requestTimeoutMs);
    });
    try {
      await Promise.race([this.hello, bound]);
    } finally {
      clearTimeout(timer);
    }
    if (!this.host) throw hostGone('restarting');
  }

  private request(body: DistributiveOmit<HostRequest, 'id'>, timeoutMs = this.requestTimeoutMs): Promise<unknown> {
    const host = this.host;
    if (!host) return Promise.reject(hostGone('restarting'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new AppFailure('CARD_ERROR', 'Kortläsartjänsten svarade inte i tid.', { op: body.op, timeoutMs }));
        // Its state is unknown now: start afresh.
        if (this.host === host) this.lost('request timeout');
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      host.send({ ...body, id } as HostRequest);
    });
  }

  private received(m: HostMessage): void {
    this.lastPing = Date.now();
    this.up = true;
    if ('up' in m) return;
    if ('id' in m) {
      if (m.id === this.pingSent) {
        this.pingSent = undefined;
        return;
      }
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.ok) p.resolve(m.value);
      else p.reject(fromError(m.error));
      return;
    }
    if ('hello' in m) {
      // Events the host sent before its hello are newer news than the enumeration it reports.
      if (this.heardEvent) {
        this.helloDone();
        return;
      }
      this.snapshot = m.readers;
      if (!m.unavailable) this.setDown(false);
      else if (!this.down) {
        this.down = true;
        this.emit({ type: 'unavailable', error: m.unavailable });
      }
      this.helloDone();
      return;
    }
    const e = m.event;
    this.heardEvent = true;
    if (e.type === 'unavailable') {
      this.snapshot = m.readers;
      if (this.down) return;
      this.down = true;
      this.emit(e);
      return;
    }
    if (e.type === 'available') {
      this.snapshot = m.readers;
      this.setDown(false);
      return;
    }
    this.setDown(false);
    this.snapshot = m.readers;
    this.emit(e);
  }

  private setDown(down: boolean): void {
    if (this.down === down) return;
    this.down = down;
    this.emit(down ? { type: 'unavailable', error: hostGone('down').toError() } : { type: 'available' });
  }

  private checkAlive(): void {
    if (!this.host || this.closed) return;
    const now = Date.now();
    if (!this.up) {
      if (now - this.startedAt > this.startTimeoutMs) this.lost('did not start');
      return;
    }
    if (this.pingSent !== undefined) {
      if (now - this.lastPing > this.pingTimeoutMs) this.lost('no answer to ping');
      return;
    }
    if (now - this.lastPing >= this.pingIntervalMs) {
      this.pingSent = this.nextId++;
      this.lastPing = now;
      this.host.send({ id: this.pingSent, op: 'ping' });
    }
  }

  /** The host died or hangs: kill it, report the readers gone and PC/SC unavailable, fail what is in flight, start a new one. */
  private lost(why: string): void {
    const host = this.host;
    if (!host || this.closed) return;
    this.host = undefined;
    host.kill();
    this.helloDone();
    this.failPending(hostGone(why));
    const gone = this.snapshot;
    this.snapshot = [];
    for (const r of gone) {
      if (r.cardPresent) this.emit({ type: 'card-removed', reader: r.name });
      this.emit({ type: 'reader-removed', reader: r.name });
    }
    if (!this.down) {
      this.down = true;
      this.emit({ type: 'unavailable', error: hostGone(why).toError() });
    }
    // A host that keeps dying soon after its start is restarted less and less often.
    const delay = Date.now() - this.startedAt < 10_000 ? this.restartDelay : this.restartDelayMs;
    this.restartDelay = Math.min(delay * 2, 10_000);
    this.restartTimer = setTimeout(() => {
      if (!this.closed) this.start();
    }, delay);
    this.restartTimer.unref();
  }

  private failPending(e: AppFailure): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(e);
    }
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
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
