/**
 * The database as the server sees it: PostgreSQL SQL, whether the engine is embedded PGlite
 * (one command runs everything on one machine) or a real PostgreSQL server (production, CI).
 * Write SQL that runs on both: PostgreSQL 15 features only, `$1` placeholders.
 */
export interface QueryResult<T> {
  rows: T[];
}

/** What a statement can run against: the database itself or an open transaction. */
export interface Queryable {
  /**
   * One statement with `$1, $2 ...` parameters. `prepare`: a statement whose text never changes
   * and whose planning costs more than its run (the pull page, server/sync/pull.ts): PostgreSQL
   * keeps it prepared on each connection, planned once (unless DATABASE_PREPARED_STATEMENTS=0).
   */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[], options?: { prepare?: boolean }): Promise<QueryResult<T>>;
  /** A script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export type DbKind = 'pglite' | 'postgres';

/**
 * How a transaction opens, sent in the same round trip as its BEGIN: each round trip of a
 * transaction holds a pooled connection across a turn of the node's event loop (bench -- server).
 */
export interface TransactionOptions {
  /** The transaction's modes, e.g. `ISOLATION LEVEL REPEATABLE READ READ ONLY` (fixed text, never input). */
  mode?: string;
  /** Settings for this transaction only (`set_config(name, value, true)`), e.g. `{ jit: 'off' }`. */
  settings?: Readonly<Record<string, string>>;
}

/** The statements that set up an open transaction as `options` say (empty: nothing to set). */
export function transactionSetup(options: TransactionOptions = {}): string[] {
  const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;
  const settings = Object.entries(options.settings ?? {}).map(([k, v]) => `set_config(${literal(k)}, ${literal(v)}, true)`);
  return [...(options.mode ? [`SET TRANSACTION ${options.mode}`] : []), ...(settings.length > 0 ? [`SELECT ${settings.join(', ')}`] : [])];
}

/** BEGIN and the transaction's setup as one script: one round trip. */
export const beginScript = (options?: TransactionOptions): string => ['BEGIN', ...transactionSetup(options)].join('; ');

export interface Db extends Queryable {
  readonly kind: DbKind;
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws.
   * `options` are sent with the BEGIN, in its round trip (see TransactionOptions).
   */
  transaction<R>(fn: (tx: Queryable) => Promise<R>, options?: TransactionOptions): Promise<R>;
  /**
   * LISTEN on `channel`: `onNotify` gets the payload of every NOTIFY (delivered at commit, from any
   * connection or server node). `onReconnect` is called when a lost listening connection is back
   * (notifications in between are lost: the caller should assume everything changed).
   * Resolves to a function that stops listening.
   */
  listen(channel: string, onNotify: (payload: string) => void, onReconnect?: () => void): Promise<() => Promise<void>>;
  /** The request pool now (PostgreSQL only): open, idle and waiting connections, and its size. */
  poolStats?(): PoolStats;
  close(): Promise<void>;
}

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

/** What a PostgreSQL connection reports to its owner (server/main.ts logs it, /metrics counts it). */
export interface DbEvents {
  /** The LISTEN connection dropped: PostgreSQL restarted or the network went. */
  lost?(): void;
  /** It is back after `downMs`. */
  regained?(downMs: number): void;
  /** A query waited this many seconds for a pooled connection. */
  poolWait?(seconds: number): void;
}

/** PostgreSQL type oids whose parsing both engines share. */
export const DATE_OID = 1082;
export const INT8_OID = 20;

/** `date` columns are calendar days, returned as `YYYY-MM-DD` strings (never shifted by a time zone). */
export const parseDate = (value: string): string => value;
