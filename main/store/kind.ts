import type { Database, Statement } from 'better-sqlite3-multiple-ciphers';
import type { Author, Change, Mutation, PullResponse, RecordType } from '#contract';

/** What a run's last page says about retention. */
export type Retention = Pick<PullResponse, 'serverTime' | 'retentionDays'>;

/**
 * How one synced record kind lives in the workstation's encrypted store (docs/adding-a-feature.md).
 * A kind's module (clients-sql.ts, journal-sql.ts, daynotes-sql.ts, assignments-sql.ts) declares
 * its tables and indexes and opens a part over the connection; SqlStore's generic code — applying
 * a pulled page, purging a unit that left the scope, queueing and refusing mutations, the bulk
 * fill — loops over the registry (kinds.ts) and names no kind.
 */

/** A piece of a store migration: the kinds' pieces of a version run in the same transaction as the base schema's. */
export interface SchemaPart {
  version: number;
  name: string;
  sql: string;
}

/** What a kind's part may ask of the store around it. */
export interface StoreContext {
  db: Database;
  /** Swedish folding for name order and search (clientSortKey). */
  fold(s: string): string;
  unitInScope(unitId: string): boolean;
  /** The unit of a client in scope; throws FORBIDDEN otherwise. */
  unitOfClient(clientId: string): string;
}

export type UpsertOf<N extends RecordType> = Extract<Change, { op: 'upsert'; type: N }>;
export type RecordOf<N extends RecordType> = UpsertOf<N>['record'];
export type MutationOf<N extends RecordType> = Extract<Mutation, { type: `${N}.${string}` }>;

/** A queued mutation applied to the local copy, so the user sees it before the server has it. */
export interface LocalMutation<M extends Mutation> {
  /** Checks and writes the pending local record; returns the unit it belongs to (the outbox keeps it for the purge). */
  apply(m: M, author: Author, createdAt: string): string;
  /** The server refused it for good: undo the local write (the mutation itself stays in refusals). */
  undo(recordId: string): void;
}
export type LocalMutations<N extends RecordType> = { [T in MutationOf<N>['type']]: LocalMutation<Extract<Mutation, { type: T }>> };

export interface KindPart<N extends RecordType> {
  /** A page's upserts of this kind, in page order (one record at most once a page). */
  upsert(changes: UpsertOf<N>[]): void;
  delete(id: string): void;
  /** Everything of the unit: it left the user's scope. */
  purgeUnit(unitId: string): void;
  /**
   * The stored record as the contract has it (no local flags), in scope or not: what the pull
   * round-trip and purge guarantees check (test/unit/sync/kinds-suite.ts); null when not stored.
   */
  record(id: string): RecordOf<N> | null;
  /** Records past the kind's retention are deleted after a run (server time and settings); returns how many. */
  retention?(page: Retention): number;
  readonly mutations: LocalMutations<N>;
}

export interface StoreKind<N extends RecordType = RecordType, P extends KindPart<N> = KindPart<N>> {
  name: N;
  schema: readonly SchemaPart[];
  /**
   * Tables whose secondary indexes are dropped while an empty store is filled and built again
   * before the commit (bulk-fill.ts, dropFillIndexes): for kinds with tens of thousands of rows.
   */
  fillTables?: readonly string[];
  open(ctx: StoreContext): P;
}

export const defineStoreKind = <N extends RecordType, P extends KindPart<N>>(kind: StoreKind<N, P>) => kind;

/** Statements prepared once, by name. */
export function prepareAll<K extends string>(db: Database, sql: Record<K, string>): Record<K, Statement> {
  return Object.fromEntries(Object.entries<string>(sql).map(([k, s]) => [k, db.prepare(s)])) as Record<K, Statement>;
}

/** Timestamps are compared as text: UTC `…Z` strings are kept as they are, others converted to UTC. */
export const utc = (iso: string) => (iso.endsWith('Z') ? iso : new Date(iso).toISOString());
export const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The most rows one statement of a RowBatch inserts (× the row's parameters stays far below SQLite's 32,766). */
const BATCH_ROWS = 256;

/**
 * Upserts of many rows per statement: `INSERT INTO … VALUES (…), (…), … ON CONFLICT …`, 256 rows a
 * statement and the rest in statements of 128, 64, … rows (nine statements prepared at most). For
 * the kinds with tens of thousands of rows in a first sync: binding a page's values directly took
 * a third less of the store worker's time than a JSON array of rows for json_each (no JSON text to
 * build in JavaScript and parse again in SQLite), and a trigger (the day notes' full-text index)
 * still runs within a few hundred statements per page, not one per row.
 */
export class RowBatch<T> {
  private readonly statements = new Map<number, Statement>();
  private args: unknown[] = [];

  /**
   * `insert`: `INSERT INTO table (columns)`; `row`: one row's VALUES tuple, e.g. `(?, ?, 0)`, with
   * `params` placeholders; `conflict`: the ON CONFLICT clause; `values`: one item's parameters.
   */
  constructor(
    private readonly db: Database,
    private readonly sql: { insert: string; row: string; conflict: string },
    private readonly params: number,
    private readonly values: (item: T) => unknown[],
  ) {}

  run(items: readonly T[]): void {
    let at = 0;
    while (at < items.length) {
      const left = items.length - at;
      const n = left >= BATCH_ROWS ? BATCH_ROWS : 2 ** Math.floor(Math.log2(left));
      const args = this.args.length === n * this.params ? this.args : (this.args = new Array<unknown>(n * this.params));
      let k = 0;
      for (let i = at; i < at + n; i++) for (const v of this.values(items[i]!)) args[k++] = v;
      this.statement(n).run(args);
      at += n;
    }
  }

  private statement(rows: number): Statement {
    let st = this.statements.get(rows);
    if (!st) {
      st = this.db.prepare(`${this.sql.insert} VALUES ${Array.from({ length: rows }, () => this.sql.row).join(', ')} ${this.sql.conflict}`);
      this.statements.set(rows, st);
    }
    return st;
  }
}
