import type { FastifyReply, FastifyRequest } from 'fastify';
import { nextSwedishMidnight } from '#contract';
import type { AuthSession } from '../auth/service';
import type { SyncNotifier, SyncSignal } from './notifier';

/**
 * One Server-Sent Events stream (GET /api/v1/sync/events, docs/sync.md):
 *   event: ready    data {"unitIds":[…]}  — the scope at connect
 *   event: changed  data {"unitIds":[…]}  — these units have news: pull (coalesced within `coalesceMs`,
 *                                           plus a random share of `spreadMs` for news from a write)
 *   : keep-alive                          — every `keepAliveMs`; the session and scope are re-checked
 *                                           (the scope also at once when a permission of hers changes,
 *                                           and just after every Swedish midnight, when permissions
 *                                           begin and end by the calendar without a row changing)
 *   event: end      data {"code":"UNAUTHENTICATED"} — the session expired or was revoked; then closed
 * A scope that changed (a permission granted or ended) is announced as `changed` for the units
 * that came or went, so the workstation pulls and purges.
 */
export interface EventStreamDeps {
  notifier: SyncNotifier;
  /** The live session of `token`, or a rejection (expired, revoked, unknown). */
  authenticate(token: string | undefined): Promise<AuthSession>;
  /** unitIds of the user's scope now. */
  scope(staffId: string): Promise<string[]>;
  keepAliveMs: number;
  coalesceMs: number;
  /**
   * News from a write is announced after `coalesceMs` plus a random delay up to this, drawn anew
   * for each flush of each stream (issue 33, bench -- server): every workstation of a unit pulls the moment it hears
   * `changed`, and with one fixed delay the unit's 25 workstations, on every node, pulled in the same
   * millisecond after each push — a herd that queued on the cores, the pool and the access log's
   * chain (pull p99 136–164 ms at 500 workstations while a pull alone costs 2 ms of CPU). Spread,
   * the same pulls arrive one by one. A change of the stream's own scope (a permission granted or
   * ended) is not spread. 0: no spread.
   */
  spreadMs: number;
  /** The clock sessions expire and permissions begin and end by. */
  now: () => Date;
  /** Told of each event written (the fan-out counter of /metrics). */
  onSent?: (event: string) => void;
  /**
   * Open streams one session may hold (issue 25 point 4): opening one more closes the oldest of
   * hers with `end {"code":"REPLACED"}` — a workstation whose network dropped reconnects before the
   * server notices the old socket is dead, so the newest wins rather than being refused.
   */
  streamsPerSession: number;
}

/** Streams re-check their scope within this long after midnight, at random, so that they do not all query at one instant. */
const DAY_TURN_SPREAD_MS = 1_000;

export interface OpenStream {
  close(): void;
  /** Whose stream it is. */
  staffId: string;
  /** The session it was opened with (its bearer token, compared only for identity). */
  token: string | undefined;
  /** Re-checks the scope now (a permission of hers changed: PERMISSIONS_CHANNEL). */
  rescope(): void;
  /** Ends the stream because the same session opened a newer one beyond the limit. */
  replace(): void;
}

/** NOTIFY channel of permission changes (server/migrations/0010_permission_notify.sql); payload: the staff id. */
export const PERMISSIONS_CHANNEL = 'permissions_changed';

export async function openEventStream(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string | undefined,
  session: AuthSession,
  deps: EventStreamDeps,
  streams: Set<OpenStream>,
): Promise<void> {
  let scope = new Set(await deps.scope(session.staffId));
  const raw = reply.raw;
  reply.hijack();
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  raw.flushHeaders?.();

  let closed = false;
  let pending = new Set<string>();
  let flushTimer: NodeJS.Timeout | undefined;
  /** When the pending flush fires (performance.now()). */
  let flushAt = 0;
  let expiryTimer: NodeJS.Timeout | undefined;
  let dayTimer: NodeJS.Timeout | undefined;

  const write = (text: string) => {
    if (!closed) raw.write(text);
  };
  const send = (event: string, data: unknown) => {
    deps.onSent?.(event);
    return write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };

  const flush = () => {
    flushTimer = undefined;
    if (pending.size === 0) return;
    const unitIds = [...pending].sort();
    pending = new Set();
    send('changed', { unitIds });
  };
  /**
   * Pending units go out after `coalesceMs`, plus (`spread`: news from a write) a random share of
   * `spreadMs`. A flush already pending keeps its moment, unless an unspread one is due sooner.
   */
  const queue = (unitIds: Iterable<string>, spread: boolean) => {
    for (const id of unitIds) pending.add(id);
    if (pending.size === 0) return;
    const delay = deps.coalesceMs + (spread ? Math.random() * deps.spreadMs : 0);
    const at = performance.now() + delay;
    if (flushTimer && (spread || at >= flushAt)) return;
    clearTimeout(flushTimer);
    flushAt = at;
    flushTimer = setTimeout(flush, delay);
  };
  const onSignal = (signal: SyncSignal) => {
    queue('all' in signal ? scope : signal.unitIds.filter((id) => scope.has(id)), true);
  };

  const unsubscribe = deps.notifier.subscribe(onSignal);
  const stream: OpenStream = { close: () => end(), staffId: session.staffId, token, rescope: () => void rescope(), replace: () => end({ code: 'REPLACED' }) };
  // Sets iterate in insertion order: the first of hers is the oldest.
  const hers = [...streams].filter((s) => s.token === token);
  for (const old of hers.slice(0, Math.max(0, hers.length - deps.streamsPerSession + 1))) old.replace();
  streams.add(stream);

  function end(reason?: { code: string }) {
    if (closed) return;
    if (reason) send('end', reason);
    closed = true;
    unsubscribe();
    streams.delete(stream);
    clearInterval(keepAlive);
    clearTimeout(flushTimer);
    clearTimeout(expiryTimer);
    clearTimeout(dayTimer);
    raw.end();
  }

  /** The session still lives (renewals move its expiry); otherwise the stream ends. */
  const check = async (): Promise<boolean> => {
    let current: AuthSession;
    try {
      current = await deps.authenticate(token);
    } catch {
      end({ code: 'UNAUTHENTICATED' });
      return false;
    }
    scheduleExpiry(current.expiresAt);
    return true;
  };
  function scheduleExpiry(expiresAt: Date) {
    clearTimeout(expiryTimer);
    if (closed) return;
    // setTimeout holds at most ~24.8 days; sessions are far shorter.
    const ms = Math.min(Math.max(expiresAt.getTime() - deps.now().getTime() + 50, 0), 2 ** 31 - 1);
    expiryTimer = setTimeout(() => void check(), ms);
  }

  /**
   * Permissions are granted by the Swedish day: one that ends at midnight changes no row, so no
   * NOTIFY says so. The scope is re-checked just after each midnight (within DAY_TURN_SPREAD_MS).
   */
  function scheduleDayTurn() {
    if (closed) return;
    const now = deps.now();
    const ms = nextSwedishMidnight(now).getTime() - now.getTime() + 20 + Math.floor(Math.random() * DAY_TURN_SPREAD_MS);
    dayTimer = setTimeout(() => {
      void rescope().then(scheduleDayTurn);
    }, ms);
  }

  /** Units that came or went since the last check are announced, so the workstation pulls and purges. */
  async function rescope(): Promise<void> {
    if (closed) return;
    try {
      const now = new Set(await deps.scope(session.staffId));
      const moved = [...now].filter((id) => !scope.has(id)).concat([...scope].filter((id) => !now.has(id)));
      scope = now;
      queue(moved, false);
    } catch (e) {
      request.log.warn({ err: e }, 'sync events: scope check failed');
    }
  }

  const keepAlive = setInterval(() => {
    void (async () => {
      if (!(await check()) || closed) return;
      await rescope();
      write(': keep-alive\n\n');
    })();
  }, deps.keepAliveMs);

  raw.on('close', () => end());
  raw.on('error', () => end());
  scheduleExpiry(session.expiresAt);
  scheduleDayTurn();
  send('ready', { unitIds: [...scope].sort() });
}
