import { randomUUID } from 'node:crypto';
import { AppFailure, accessLogRoutes, type AccessEventInput } from '#contract';
import type { ServerClient } from '../server-client';
import type { LocalStore } from '../store/types';

export interface AccessReporterOptions {
  server: ServerClient;
  /** The open store, or throws when the session is locked. */
  store: () => Promise<LocalStore>;
  token: () => string;
  log?: (obj: Record<string, unknown>, msg: string) => void;
  /** First retry after a transient failure; doubles up to 60 s. */
  retryMs?: number;
  /** A read of the same client's journal / notes again within this window is not logged again. */
  readDedupMs?: number;
  now?: () => Date;
}

/** Codes that mean "this event will never be accepted as it is": it leaves the queue. */
const FINAL = new Set(['FORBIDDEN', 'VALIDATION', 'NOT_FOUND']);

/**
 * Reads, copies and exports of a client's journal and notes, for the server's access log
 * (docs/journal.md). Every event goes first into the encrypted store's `access_outbox` (one small
 * transaction), then to `POST /api/v1/access-log/events`; while the server cannot be reached the
 * queue waits and is retried with back-off and after the next unlock, so an event survives being
 * offline, a lock, a crash and a restart. Each event carries an id made when it happened, so a batch
 * resent after a lost answer is logged once. The server refuses an event of a client outside the
 * user's scope at the event's time; such an event leaves the queue (it cannot succeed later).
 */
export class AccessReporter {
  private flushing: Promise<void> | null = null;
  private again = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs: number;
  private readonly recentReads = new Map<string, number>();

  constructor(private readonly opts: AccessReporterOptions) {
    this.retryMs = opts.retryMs ?? 2_000;
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  /** Queues the event durably (the call waits for the store), then sends in the background. */
  async record(event: Omit<AccessEventInput, 'at' | 'id'>): Promise<boolean> {
    const at = this.now();
    if (event.action === 'read') {
      const key = `${event.recordType}:${event.clientId}:${event.recordId ?? ''}`;
      const last = this.recentReads.get(key);
      if (last !== undefined && at.getTime() - last < (this.opts.readDedupMs ?? 60_000)) return false;
      this.recentReads.set(key, at.getTime());
    }
    const store = await this.opts.store();
    // The id is made once, here: the server writes the event once however often the queue sends it.
    await store.enqueueAccess([{ ...event, id: randomUUID(), at: at.toISOString() }]);
    this.kick();
    return true;
  }

  /** Send what is queued (after an unlock, or after a record). Single flight. */
  kick(): void {
    if (this.flushing) {
      this.again = true;
      return;
    }
    clearTimeout(this.retryTimer);
    this.flushing = this.flush()
      .catch((e: unknown) => {
        const code = e instanceof AppFailure ? e.code : 'INTERNAL';
        if (code === 'SESSION_LOCKED' || code === 'UNAUTHENTICATED') return; // sent after the next unlock
        this.opts.log?.({ code }, 'access events: will retry');
        this.retryTimer = setTimeout(() => this.kick(), this.retryMs);
        this.retryTimer.unref();
        this.retryMs = Math.min(this.retryMs * 2, 60_000);
      })
      .finally(() => {
        this.flushing = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Resolves when nothing is being sent (tests). */
  async idle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  stop(): void {
    clearTimeout(this.retryTimer);
    this.recentReads.clear();
  }

  private async flush(): Promise<void> {
    for (;;) {
      const store = await this.opts.store();
      const batch = await store.accessOutbox(100);
      if (batch.length === 0) break;
      try {
        await this.send(batch.map((b) => b.event));
        await store.ackAccess(batch.map((b) => b.seq));
      } catch (e) {
        if (!(e instanceof AppFailure) || !FINAL.has(e.code)) throw e;
        // All or nothing on the server: find the refused one(s) by sending one at a time.
        for (const b of batch) {
          try {
            await this.send([b.event]);
          } catch (one) {
            if (!(one instanceof AppFailure) || !FINAL.has(one.code)) throw one;
            this.opts.log?.({ code: one.code, action: b.event.action }, 'access event refused by the server; dropped');
          }
          await store.ackAccess([b.seq]);
        }
      }
      this.retryMs = this.opts.retryMs ?? 2_000;
    }
  }

  private async send(events: AccessEventInput[]): Promise<void> {
    await this.opts.server.call(accessLogRoutes.events, { body: { events }, token: this.opts.token() });
  }
}
