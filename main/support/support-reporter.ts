import { stat } from 'node:fs/promises';
import { SupportReport, supportRoutes, type CardStatus, type ErrorCode, type StoreStatus } from '#contract';
import type { ServerClient } from '../server-client';
import { workstationId } from './workstation-id';

/** What the outbox and the refusals hold right now, counted (never their content); null when the store is not open. */
export interface LocalQueue {
  pending: number;
  oldestAt: string | null;
  refusalCodes: ErrorCode[];
}

export interface SupportReporterOptions {
  server: ServerClient;
  /** The session's token; throws when nobody is logged in (then nothing is reported). */
  token: () => string;
  dataDir: string;
  workstationName: string | null;
  host: 'electron' | 'browser';
  /** The app's version as reported; a function when it depends on the session (reportedAppVersion). */
  appVersion: string | (() => string);
  card: () => CardStatus;
  /** The local store's state and the file of the logged-in user's store (null: nobody). */
  store: () => { state: StoreStatus['state']; file: string | null };
  queue: () => Promise<LocalQueue | null>;
  /** A report at least this often while logged in; default 5 minutes. */
  intervalMs?: number;
  /** Reports after sync runs come at most this often; default 30 s. */
  minGapMs?: number;
  log?: (obj: Record<string, unknown>, msg: string) => void;
}

/**
 * The workstation's telemetry of itself for first-line support (docs/administration.md): while
 * a user is logged in it reports app version, the last sync and how it ended, the queue (count
 * and age), refusals (codes), card reader and card status, when she logged in, and the local
 * store's size — after every sync run (at most every `minGapMs`) and every `intervalMs`. Best
 * effort: a report that cannot be sent is dropped; the next one says the same and more.
 */
export class SupportReporter {
  private loggedInAt: string | null = null;
  private lastRun: { code: ErrorCode | null; at: string } | null = null;
  private lastOkAt: string | null = null;
  private lastSentAt = 0;
  private sending: Promise<void> | null = null;
  private again = false;
  private gapTimer: NodeJS.Timeout | undefined;
  private everyTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: SupportReporterOptions) {}

  /** A login (card and PIN) succeeded: reports start. */
  loggedIn(): void {
    this.loggedInAt = new Date().toISOString();
    this.lastRun = null;
    this.lastOkAt = null;
    clearInterval(this.everyTimer);
    this.everyTimer = setInterval(() => this.kick(), this.opts.intervalMs ?? 300_000);
    this.everyTimer.unref?.();
    this.kick();
  }

  /** A sync run ended (SyncEngineOptions.onRun). */
  syncRan(outcome: { code: ErrorCode | null; at: string }): void {
    this.lastRun = outcome;
    if (outcome.code === null) this.lastOkAt = outcome.at;
    this.kick();
  }

  /** Locked or logged out: no more reports until the next login. */
  stop(): void {
    this.loggedInAt = null;
    clearInterval(this.everyTimer);
    clearTimeout(this.gapTimer);
    this.everyTimer = this.gapTimer = undefined;
  }

  /** Resolves when no report is being sent (tests). */
  async idle(): Promise<void> {
    while (this.sending) await this.sending;
  }

  private kick(): void {
    if (!this.loggedInAt) return;
    if (this.sending) {
      this.again = true;
      return;
    }
    const wait = this.lastSentAt + (this.opts.minGapMs ?? 30_000) - Date.now();
    if (wait > 0) {
      this.gapTimer ??= setTimeout(() => {
        this.gapTimer = undefined;
        this.kick();
      }, wait);
      this.gapTimer.unref?.();
      return;
    }
    this.lastSentAt = Date.now();
    this.sending = this.send().finally(() => {
      this.sending = null;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async send(): Promise<void> {
    // Taken before the awaits: a lock or logout while the report is built must not turn it into an
    // off-contract report (loggedInAt null); a report for a session that has ended is not sent.
    const loggedInAt = this.loggedInAt;
    if (!loggedInAt) return;
    try {
      const token = this.opts.token();
      const built = await this.build(loggedInAt);
      if (this.loggedInAt !== loggedInAt) return;
      const report = SupportReport.safeParse(built);
      if (!report.success) {
        // Our own bug; the issue paths say which field, never a value.
        this.opts.log?.({ issues: report.error.issues.map((i) => i.path.join('.')) }, 'support report off contract; not sent');
        return;
      }
      await this.opts.server.call(supportRoutes.report, { token, body: report.data });
    } catch {
      // Locked, offline or refused: the next report tries again.
    }
  }

  private async build(loggedInAt: string): Promise<SupportReport> {
    const card = this.opts.card();
    const store = this.opts.store();
    const [id, queue, bytes] = await Promise.all([workstationId(this.opts.dataDir), this.opts.queue().catch(() => null), fileBytes(store.file)]);
    const codes = new Map<ErrorCode, number>();
    for (const c of queue?.refusalCodes ?? []) codes.set(c, (codes.get(c) ?? 0) + 1);
    return {
      workstationId: id,
      workstationName: this.opts.workstationName,
      appVersion: typeof this.opts.appVersion === 'function' ? this.opts.appVersion() : this.opts.appVersion,
      host: this.opts.host,
      sync: { lastOkAt: this.lastOkAt, outcome: this.lastRun === null ? 'none' : this.lastRun.code === null ? 'ok' : 'error', code: this.lastRun?.code ?? null },
      queue: queue ? { count: queue.pending, oldestAt: queue.oldestAt } : null,
      refusals: queue ? { count: queue.refusalCodes.length, codes: [...codes].map(([code, count]) => ({ code, count })) } : null,
      card: {
        service: card.service,
        readers: card.readers.length,
        cardPresent: card.readers.some((r) => r.cardPresent),
      },
      loggedInAt,
      store: { state: store.state, bytes },
    };
  }
}

/** The store file's size with its write-ahead log (null: no file). */
async function fileBytes(file: string | null): Promise<number | null> {
  if (!file) return null;
  const size = (f: string) => stat(f).then((s) => s.size, () => null);
  const [db, wal] = await Promise.all([size(file), size(`${file}-wal`)]);
  return db === null ? null : db + (wal ?? 0);
}
