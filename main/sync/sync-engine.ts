import { AppFailure, RecordType, serverRoutes, syncRoutes, type ErrorCode, type EventName, type EventPayload, type PullNext, type PullResponse, type SyncStatus } from '#contract';
import { createServerClient, type ServerClient } from '../server-client';
import type { LocalStore, PulledPage } from '../store/types';
import type { WorkerEntry } from '../worker-start';
import { Backoff, type BackoffOptions } from './backoff';
import { BATCH_REFUSED, FailureJudge, kindOf, OUTAGE_AFTER, poisonMessage, TRANSIENT, type Suspect } from './failure-judge';
import { PageFetcher, type FetchedPage } from './page-fetcher';
import { settlePushAnswer } from './push-answer';
import { SseClient } from './sse';

export interface SyncEngineOptions {
  store: LocalStore;
  serverUrl: string;
  /** The session's bearer token, asked for on every call; throws once the session is gone. */
  token: () => string;
  emit: <E extends EventName>(name: E, payload: EventPayload<E>) => void;
  workstationName?: string;
  /** Mutations per push request (≤ 500 by the contract). */
  pushBatch?: number;
  /** Changes per pull page (≤ 5,000 by the contract). */
  pullLimit?: number;
  /** A pull even when nothing said there is news (the event stream may have missed something). */
  safetyPullMs?: number;
  /** Retries after a transient failure (server down, 5xx). */
  backoff?: BackoffOptions;
  /** The server's `changed` events; `false` turns them off (unit tests). */
  events?: false | { backoff?: BackoffOptions };
  fetch?: typeof fetch;
  /** The pull worker's bundled file (see main/worker-start.ts); from source it is found by itself. */
  pullWorker?: WorkerEntry;
  log?: (obj: Record<string, unknown>, msg: string) => void;
  /** After every run: how it ended (`code` null: pushed and pulled). The support reporter listens (main/support/). */
  onRun?: (outcome: { code: ErrorCode | null; at: string }) => void;
  /** A poison pill is set aside only when its first and last failures alone are at least this far apart; default 2 minutes. */
  poisonMinSpanMs?: number;
  /**
   * Where a pull's time went, as the main thread waits for it (bench/sync.ts prints the sum):
   * `wait` for a page's bytes (server and network), `read` (parse and check in the store worker),
   * `apply` (its rows written), `finish` (retention and the last commit); `changes` of the page.
   */
  pullStage?: (stage: 'wait' | 'read' | 'apply' | 'finish', ms: number, changes: number) => void;
}

/** Pull pages fetched ahead of the one the store is reading (each about a megabyte). */
const PULL_AHEAD = 2;


/**
 * Moves data between the user's encrypted store and the server while the session is unlocked.
 * One run = push the outbox (oldest first, in batches), then pull every unit's changes until the
 * server has no more, then purge day notes past retention. Runs are single-flight: a kick during
 * a run makes one more run afterwards. Kicked by a local write, the server's `changed` event,
 * a periodic safety pull and `sync.now`; after a transient failure it waits (exponential backoff
 * with jitter) and tries again by itself, so an offline queue drains when the server returns.
 */
export class SyncEngine {
  private readonly store: LocalStore;
  private readonly server: ServerClient;
  /** Pull pages are fetched in a worker thread and go straight to the store's (page-fetcher.ts); started at the first pull. */
  private fetcher: PageFetcher | null = null;
  private readonly abort = new AbortController();
  private readonly backoff: Backoff;
  private readonly sse: SseClient | null;
  private connection: SyncStatus['connection'] = 'connecting';
  private lastSyncAt: string | null = null;
  private lastUnits = '';
  private wanted = false;
  private running: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | undefined;
  private safetyTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private started = false;
  private parkTimer: NodeJS.Timeout | undefined;
  private readonly failures: FailureJudge;

  constructor(private readonly opts: SyncEngineOptions) {
    this.failures = new FailureJudge(opts.backoff ?? {}, opts.poisonMinSpanMs ?? 120_000);
    this.store = opts.store;
    const baseFetch = opts.fetch ?? fetch;
    const signal = this.abort.signal;
    // Every request of this engine dies with it: a lock must not wait for a slow server.
    const abortable: typeof fetch = (input, init) =>
      baseFetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal });
    this.server = createServerClient(opts.serverUrl, { fetch: abortable, timeoutMs: 30_000, ...(opts.workstationName ? { workstation: opts.workstationName } : {}) });
    this.backoff = new Backoff(opts.backoff ?? { baseMs: 1_000, capMs: 60_000 });
    this.sse =
      opts.events === false
        ? null
        : new SseClient({
            url: `${this.server.baseUrl}${syncRoutes.events.path}`,
            token: opts.token,
            fetch: abortable,
            ...(opts.workstationName ? { headers: { 'x-workstation': opts.workstationName } } : {}),
            ...(opts.events?.backoff ? { backoff: opts.events.backoff } : {}),
            onMessage: (m) => {
              if (m.event === 'changed') this.kick();
            },
            // Connected again: the server is back, so do not wait out the backoff; catch up at once.
            onOpen: () => this.kick({ now: true }),
            // The stream broke: find out whether the server is gone (status → offline).
            onDrop: () => this.kick(),
          });
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.sse?.start();
    const every = this.opts.safetyPullMs ?? 60_000;
    this.safetyTimer = setInterval(() => this.kick(), every);
    this.safetyTimer.unref?.();
    this.kick({ now: true });
  }

  /** Stops at once (in-flight requests are aborted) and resolves when the current run has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.parkTimer);
    clearInterval(this.safetyTimer);
    this.abort.abort();
    await Promise.all([this.sse?.close(), this.running?.catch(() => undefined)]);
    await this.fetcher?.close();
  }

  /**
   * Something changed (a local write, a server event, a timer). Runs now unless a backoff wait is
   * on; `now` skips the wait (the user asked, or the server is evidently back).
   */
  kick(opts: { now?: boolean } = {}): void {
    if (this.stopped) return;
    this.wanted = true;
    if (opts.now) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      this.backoff.reset();
    }
    if (this.retryTimer) return;
    this.ensureRunning();
  }

  /** Push and pull now; resolves with the status after the run. */
  async syncNow(): Promise<SyncStatus> {
    this.kick({ now: true });
    await this.idle();
    return this.status();
  }

  /** Resolves when no run is in progress (a run kicked meanwhile included). */
  async idle(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
  }

  async status(): Promise<SyncStatus> {
    const [pending, refusals] = await Promise.all([this.store.outboxCount(), this.store.refusals()]);
    return {
      connection: this.connection,
      pending,
      lastSyncAt: this.lastSyncAt,
      refusals: refusals.map((r) => ({ mutationId: r.mutationId, type: r.type, code: r.code, message: r.message, text: r.text, at: r.at })),
    };
  }

  /** Tells the renderer the current status (after writes, runs, dismissals). */
  async publishStatus(): Promise<void> {
    if (this.stopped) return;
    try {
      const s = await this.status();
      if (!this.stopped) this.opts.emit('sync.status', s);
    } catch {
      // The store closed under us (lock): nothing to tell.
    }
  }

  private ensureRunning(): void {
    if (this.running || this.stopped) return;
    this.running = this.loop().finally(() => {
      this.running = null;
      if (this.wanted && !this.retryTimer && !this.stopped) this.ensureRunning();
    });
  }

  private async loop(): Promise<void> {
    while (this.wanted && !this.stopped) {
      this.wanted = false;
      try {
        await this.releaseOnNewServer();
        const suspects = await this.pushAll();
        await this.pullAll();
        this.connection = 'online';
        this.lastSyncAt = new Date().toISOString();
        this.opts.onRun?.({ code: null, at: this.lastSyncAt });
        // The server works but failed this mutation: park it (or set it aside) and push what is behind it.
        for (const suspect of suspects) await this.strike(suspect);
        this.backoff.reset();
      } catch (e) {
        if (this.stopped) return;
        const code = e instanceof AppFailure ? e.code : 'INTERNAL';
        this.connection = 'offline';
        this.opts.onRun?.({ code, at: new Date().toISOString() });
        if (!TRANSIENT.has(code)) this.opts.log?.({ code, err: (e as Error).message }, 'sync run failed');
        if (this.sessionAlive()) this.scheduleRetry(this.backoff.fail());
        return;
      } finally {
        await this.publishStatus();
      }
    }
  }

  private sessionAlive(): boolean {
    try {
      this.opts.token();
      return true;
    } catch {
      return false;
    }
  }

  private scheduleRetry(ms: number): void {
    clearTimeout(this.retryTimer);
    this.wanted = true;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.ensureRunning();
    }, ms);
    this.retryTimer.unref?.();
  }

  /** The pull showed the server works, so the suspect's error may be its own: a strike; set aside as a poison pill (failure-judge.ts), else parked. */
  private async strike(suspect: Suspect): Promise<void> {
    const strikes = await this.store.noteServerFailure(suspect.mutationId, suspect.error);
    if (strikes === 0) return; // no longer queued (acknowledged or refused meanwhile)
    const now = Date.now();
    const kind = kindOf(suspect.type);
    const { kindWorks, poison } = this.failures.judge(suspect, strikes, now);
    this.opts.log?.({ mutationId: suspect.mutationId, type: suspect.type, strikes, kindWorks, poison, err: suspect.error }, 'the server failed one mutation');
    this.wanted = true; // push what waits behind it
    if (poison) {
      await this.store.setAside(suspect.mutationId, await this.serverIdentity(), { code: 'SERVER_ERROR', message: poisonMessage(suspect.error) });
      this.opts.emit('data.changed', { kinds: [kind] });
      return;
    }
    await this.store.park(suspect.mutationId, new Date(now + this.failures.parkMs(strikes)));
    this.wakeForParked();
  }

  /** A run when the first parked mutation may go again. */
  private wakeForParked(): void {
    void this.store.nextParked().then((at) => {
      if (!at || this.stopped) return;
      clearTimeout(this.parkTimer);
      this.parkTimer = setTimeout(() => this.kick(), Math.max(0, new Date(at).getTime() - Date.now()) + 5);
      this.parkTimer.unref?.();
    }, () => undefined);
  }

  /** `version#instance` of the server now (GET /health). */
  private async serverIdentity(): Promise<string> {
    const health = await this.server.call(serverRoutes.health);
    return `${health.version}#${health.instance ?? ''}`;
  }

  /** What was set aside on another server (an update, a restart) is sent again. */
  private async releaseOnNewServer(): Promise<void> {
    const servers = await this.store.setAsideServers();
    if (servers.length === 0) return;
    const now = await this.serverIdentity();
    if (servers.every((s) => s === now)) return;
    const released = await this.store.releaseSetAside(now);
    if (released > 0) {
      this.opts.log?.({ released }, 'the server changed: mutations set aside on the earlier one are sent again');
      await this.publishStatus();
    }
  }

  /**
   * Pushes the outbox oldest first. A server error on a batch (5xx, or an answer that does not
   * parse or leaves a mutation out) may be one mutation's doing: the batch is sent again one at a
   * time, as the server applies it. A mutation that fails alone is parked at once (later writes of
   * its record wait behind it, outbox-sql.ts) and the push goes on with the others; it is returned
   * as a suspect for the strike after the pull. Several failing alone in one run look like an
   * outage, not a poison pill: the push stops there.
   */
  private async pushAll(): Promise<Suspect[]> {
    const fullBatch = Math.min(this.opts.pushBatch ?? 200, 500);
    let batch = fullBatch;
    // Mutations of a failed batch still to send one at a time; then full batches again.
    let alone = 0;
    const oneAtATime = (n: number) => {
      batch = 1;
      alone = Math.max(alone, n);
    };
    const suspects: Suspect[] = [];
    const failingOfKind = new Map<string, number>();
    const failedAlone = async (suspect: Suspect): Promise<boolean> => {
      const now = Date.now();
      suspects.push({ ...suspect, at: now });
      await this.store.park(suspect.mutationId, new Date(now + this.failures.parkMs(1)));
      // Two of one kind failing alone in a run: the kind is out (its table, say), not one mutation. All of it waits; other kinds go on.
      const kind = kindOf(suspect.type);
      const failing = (failingOfKind.get(kind) ?? 0) + 1;
      failingOfKind.set(kind, failing);
      if (failing === 2) await this.store.parkKind(kind, new Date(now + this.failures.parkMs(this.failures.kindOut(kind))));
      return suspects.length >= OUTAGE_AFTER;
    };
    const kinds = new Set<string>();
    try {
      for (;;) {
        if (this.stopped) return suspects;
        if (batch === 1 && alone === 0) batch = fullBatch;
        const entries = await this.store.outbox(batch);
        if (entries.length === 0) return suspects;
        if (alone > 0) alone--;
        const ids = entries.map((e) => e.mutation.mutationId);
        let results;
        try {
          ({ results } = await this.server.call(syncRoutes.push, { body: { mutations: entries.map((e) => e.mutation) }, token: this.opts.token() }));
        } catch (e) {
          if (e instanceof AppFailure && BATCH_REFUSED.has(e.code)) {
            // One bad mutation must not hold the queue hostage: find it by sending one at a time.
            if (entries.length > 1) {
              oneAtATime(entries.length);
              continue;
            }
            await this.store.refuse(ids[0]!, { code: e.code, message: e.message });
            kinds.add(entries[0]!.mutation.type.split('.')[0]!);
            continue;
          }
          if (e instanceof AppFailure && e.code === 'SERVER_ERROR') {
            if (entries.length > 1) {
              oneAtATime(entries.length);
              continue;
            }
            if (await failedAlone({ mutationId: ids[0]!, type: entries[0]!.mutation.type, error: e.message })) return suspects;
            continue;
          }
          await this.store.noteAttempt(ids, e instanceof Error ? e.message : String(e)).catch(() => undefined);
          throw e;
        }
        const { applied, refusedKinds, unanswered } = await settlePushAnswer(this.store, entries, results);
        for (const k of refusedKinds) kinds.add(k);
        if (applied.length > 0) {
          const at = Date.now();
          const done = new Set(applied);
          for (const e of entries) if (done.has(e.mutation.mutationId)) this.failures.applied(kindOf(e.mutation.type), at);
        }
        if (unanswered) {
          if (entries.length === 1) {
            if (await failedAlone(unanswered)) return suspects;
            continue;
          }
          oneAtATime(entries.length - applied.length);
        }
      }
    } finally {
      // A refused write's local record is gone: the lists showing it must reload.
      if (kinds.size > 0) this.opts.emit('data.changed', { kinds: [...kinds] });
    }
  }

  private async pullAll(): Promise<void> {
    const kinds = new Set<string>();
    // 5,000 per page, the most the server gives: against 2,000, the workstation's threads spent
    // 15–25 % less CPU on a 50k-record first sync (8 alternating runs of bench/sync.ts). Two loops share a short queue: fetching asks for the next
    // page as soon as a page's headers arrive (its cursors come again in `x-sync-next`), while
    // the store's worker reads (parses, validates) and applies the pages strictly in order — so
    // the server computes page n+1 while the workstation applies page n. The pull worker fetches
    // the pages and hands their bytes to the store worker itself: the main thread sees tickets
    // and headers, never a page (page-fetcher.ts). A server without the header gets the next
    // request after the page is read.
    const limit = this.opts.pullLimit ?? 5_000;
    const run = new AbortController();
    const signal = AbortSignal.any([this.abort.signal, run.signal]);
    this.fetcher ??= PageFetcher.start(this.store.openPageInbox(), this.opts.pullWorker);
    const fetcher = this.fetcher;
    const fetchPage = (cursors: PullResponse['cursors']) =>
      fetcher.fetch(
        {
          baseUrl: this.server.baseUrl,
          token: this.opts.token(),
          body: { cursors, limit },
          ...(this.opts.workstationName ? { headers: { 'x-workstation': this.opts.workstationName } } : {}),
        },
        signal,
      );
    const queue: Promise<FetchedPage>[] = [];
    let nextCursors: PullResponse['cursors'] | null = await this.store.cursors();
    let fetching = true;
    const learnNext = (next: PullNext) => {
      if (next.hasMore) nextCursors = next.cursors;
      else fetching = false;
    };
    const pump = () => {
      while (fetching && nextCursors && queue.length < PULL_AHEAD) {
        const fetched = fetchPage(nextCursors).then((f) => {
          if (f.next) {
            learnNext(f.next);
            pump();
          }
          return f;
        });
        fetched.catch(() => undefined); // awaited below, in order
        nextCursors = null; // known when this page's headers (or body) are in
        queue.push(fetched);
      }
    };
    try {
      pump();
      let last: PulledPage | null = null;
      const stage = this.opts.pullStage;
      let t = performance.now();
      const took = (name: 'wait' | 'read' | 'apply' | 'finish', changes: number) => {
        const now = performance.now();
        stage?.(name, now - t, changes);
        t = now;
      };
      while (queue.length > 0) {
        const fetched = await queue.shift()!;
        if (this.stopped) return;
        took('wait', 0);
        pump();
        const page = await this.store.readFetchedPage(fetched.ticket, fetched.next ?? undefined);
        if (this.stopped) return;
        took('read', page.count);
        if (!fetched.next) {
          learnNext(page);
          pump();
        }
        await this.store.applyPulledPage(page.pageId);
        took('apply', page.count);
        for (const t of page.types) kinds.add(t);
        const units = JSON.stringify(page.units.map((u) => u.unitId).sort());
        if (units !== this.lastUnits) {
          if (this.lastUnits !== '') ['units', ...RecordType.options].forEach((k) => kinds.add(k));
          this.lastUnits = units;
        }
        last = page;
      }
      if (last) {
        for (const k of await this.store.applyRetention({ serverTime: last.serverTime, retentionDays: last.retentionDays })) kinds.add(k);
        took('finish', 0);
      }
    } finally {
      // A failed page ends the run: nothing after it may be applied, and the requests ahead are dropped.
      fetching = false;
      run.abort();
      if (kinds.size > 0 && !this.stopped) this.opts.emit('data.changed', { kinds: [...kinds] });
    }
  }
}
