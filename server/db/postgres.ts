import { createHash } from 'node:crypto';
import pg from 'pg';
import { beginScript, DATE_OID, parseDate, type Db, type DbEvents, type PoolStats, type Queryable } from './types';

export interface PostgresOptions {
  connectionString: string;
  /** Connections in the request pool (DATABASE_POOL_SIZE); default 10. */
  maxConnections?: number;
  /** How long a query waits for a connection, new or free, before it fails (DATABASE_CONNECT_TIMEOUT_MS); default 0: for ever. */
  connectTimeoutMs?: number;
  /** PostgreSQL's statement_timeout for the pool's connections (DATABASE_STATEMENT_TIMEOUT_MS); 0 or absent: the server's. */
  statementTimeoutMs?: number;
  /** An idle pooled connection is closed after this (DATABASE_IDLE_TIMEOUT_MS); default 10 s (node-postgres'). */
  idleTimeoutMs?: number;
  /**
   * Where LISTEN connects (DATABASE_LISTEN_URL): PostgreSQL itself, since a PgBouncer in transaction
   * mode cannot hold a LISTEN; default `connectionString`.
   */
  listenUrl?: string;
  /**
   * Keep the statements callers mark `prepare` prepared by name on each connection
   * (DATABASE_PREPARED_STATEMENTS, default on). Off for a PgBouncer in transaction mode older than
   * 1.21 (or without max_prepared_statements), which would hand the name to another connection.
   */
  preparedStatements?: boolean;
  /** application_name, shown in pg_stat_activity; default omsorg-server. */
  applicationName?: string;
  /** The database lost and regained (seen on the LISTEN connection), and each wait for a pooled connection. */
  events?: DbEvents;
}

/** The name a prepared statement has on every connection: from its text, so one text is one statement. */
const statementName = (sql: string): string => `omsorg_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`;

/** A real PostgreSQL server through a `pg` connection pool, LISTEN on one dedicated connection beside it. */
export async function openPostgres(options: PostgresOptions): Promise<Db> {
  const applicationName = options.applicationName ?? 'omsorg-server';
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    application_name: applicationName,
    ...(options.connectTimeoutMs ? { connectionTimeoutMillis: options.connectTimeoutMs } : {}),
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
    ...(options.idleTimeoutMs ? { idleTimeoutMillis: options.idleTimeoutMs } : {}),
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === DATE_OID ? parseDate : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client that loses its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  // Fail at start-up, not at the first request, when the server cannot be reached.
  (await pool.connect()).release();

  /** A pooled connection, the time waited for it reported (the pool-wait histogram of /metrics). */
  const connect = async (): Promise<pg.PoolClient> => {
    const started = performance.now();
    const client = await pool.connect();
    options.events?.poolWait?.((performance.now() - started) / 1000);
    return client;
  };

  const prepared = options.preparedStatements ?? true;
  const wrap = (target: pg.PoolClient): Queryable => ({
    async query<T>(sql: string, params: readonly unknown[] = [], opts: { prepare?: boolean } = {}) {
      const result =
        opts.prepare && prepared
          ? await target.query({ name: statementName(sql), text: sql, values: [...params] })
          : await target.query(sql, [...params]);
      return { rows: result.rows as T[] };
    },
    async exec(sql: string) {
      await target.query(sql);
    },
  });
  const once = async <R>(fn: (client: pg.PoolClient) => Promise<R>): Promise<R> => {
    const client = await connect();
    let failed: unknown;
    try {
      return await fn(client);
    } catch (error) {
      failed = error;
      throw error;
    } finally {
      // A connection that broke mid-query is discarded, not handed to the next request.
      client.release(isConnectionError(failed) ? (failed as Error) : undefined);
    }
  };

  const listener = new Listener(options.listenUrl ?? options.connectionString, applicationName, options.events);

  return {
    kind: 'postgres',
    query: (sql, params, opts) => once((client) => wrap(client).query(sql, params, opts)),
    exec: (sql) => once((client) => wrap(client).exec(sql)),
    transaction: (fn, options) =>
      once(async (client) => {
        try {
          // Inside the try: a setting that fails leaves an aborted transaction to roll back.
          await client.query(beginScript(options));
          const result = await fn(wrap(client));
          await client.query('COMMIT');
          return result;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      }),
    listen: (channel, onNotify, onReconnect) => listener.add(channel, onNotify, onReconnect),
    poolStats: (): PoolStats => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: options.maxConnections ?? 10 }),
    async close() {
      await listener.close();
      await pool.end();
    },
  };
}

/** Errors after which a connection is no use (PostgreSQL went away, the socket closed). */
function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: string }).code ?? '';
  return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || /Connection terminated|ECONNRESET|ECONNREFUSED|EPIPE/.test(error.message);
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

interface Subscription {
  channel: string;
  onNotify: (payload: string) => void;
  onReconnect: (() => void) | undefined;
}

/**
 * Every LISTEN of the process on one dedicated connection (not from the pool: it stays open, and it
 * must reach PostgreSQL itself, not a transaction-mode PgBouncer). When the connection is lost it
 * is re-opened with a back-off (0.5 s doubling to 10 s), every channel is listened to again, and
 * each `onReconnect` tells its caller that notifications may have been missed. The loss and the
 * return are reported once each (events.lost / events.regained: the server logs them).
 */
class Listener {
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private delay = 500;
  private stopped = false;
  private lostAt: number | undefined;
  private readonly subscriptions = new Set<Subscription>();

  constructor(
    private readonly connectionString: string,
    private readonly applicationName: string,
    private readonly events: DbEvents | undefined,
  ) {}

  async add(channel: string, onNotify: (payload: string) => void, onReconnect?: () => void): Promise<() => Promise<void>> {
    if (!CHANNEL.test(channel)) throw new Error(`listen: invalid channel name ${channel}`);
    const subscription: Subscription = { channel, onNotify, onReconnect };
    this.stopped = false;
    if (!this.client) await (this.connecting ??= this.connect().finally(() => (this.connecting = undefined)));
    const listening = [...this.subscriptions].some((s) => s.channel === channel);
    this.subscriptions.add(subscription);
    try {
      if (!listening) await this.client?.query(`LISTEN ${channel}`);
    } catch (error) {
      this.subscriptions.delete(subscription);
      throw error;
    }
    return async () => {
      this.subscriptions.delete(subscription);
      if (this.subscriptions.size === 0) await this.close();
      else if (![...this.subscriptions].some((s) => s.channel === channel)) await this.client?.query(`UNLISTEN ${channel}`).catch(() => undefined);
    };
  }

  private async connect(): Promise<void> {
    const c = new pg.Client({ connectionString: this.connectionString, application_name: `${this.applicationName} listen` });
    c.on('notification', (n) => {
      for (const s of this.subscriptions) if (s.channel === n.channel) s.onNotify(n.payload ?? '');
    });
    c.on('error', () => undefined);
    c.on('end', () => {
      if (this.stopped || this.client !== c) return;
      this.client = undefined;
      this.lostAt ??= Date.now();
      this.events?.lost?.();
      this.scheduleReconnect();
    });
    try {
      await c.connect();
      for (const channel of new Set([...this.subscriptions].map((s) => s.channel))) await c.query(`LISTEN ${channel}`);
    } catch (error) {
      await c.end().catch(() => undefined);
      throw error;
    }
    if (this.stopped) {
      await c.end().catch(() => undefined);
      return;
    }
    this.client = c;
  }

  private scheduleReconnect(): void {
    this.retry = setTimeout(() => {
      this.connect().then(
        () => {
          this.delay = 500;
          const downMs = this.lostAt === undefined ? 0 : Date.now() - this.lostAt;
          this.lostAt = undefined;
          this.events?.regained?.(downMs);
          for (const s of this.subscriptions) s.onReconnect?.();
        },
        () => {
          this.delay = Math.min(this.delay * 2, 10_000);
          if (!this.stopped) this.scheduleReconnect();
        },
      );
    }, this.delay);
    this.retry.unref();
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }
}
