import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import type { ErrorCode, KsiIndex, Mutation, RecordType } from '#contract';
import { swedishDate } from '#contract';
import type { AssuranceLevels } from '../auth/assurance';
import type { StaffRecord } from '../auth/staff';
import type { Db, Queryable } from '../db/types';

/**
 * How one synced record kind lives on the server (docs/adding-a-feature.md): how its changes are
 * written into the pull feed, and — for kinds workstations write offline — the rules, state and
 * writes of its pushed mutations. The generic feed (pull.ts) and push (push.ts, push-rules.ts,
 * push-state.ts, push-writes.ts) loop over the registry they are handed (registry.ts, built from server/kinds.ts) and name no kind. A kind's table
 * enters the feed through its `changes` trigger (sync_record_changed, migration 0003) or, for a
 * kind whose rows are written elsewhere, sync_append_change.
 */

/**
 * The SQL parameters a kind's `where`/`audience` may use: its retention cutoff, the pulling staff
 * member's id, and whether the pull may hold client data (false: a session below client data's
 * assurance level, server/auth/assurance.ts).
 */
export interface FeedParams {
  cutoff: string;
  staff: string;
  clientData: string;
}

/** A feed record built by PostgreSQL as JSON text from the kind's row (records.ts explains why). */
export interface SqlFeed {
  /** The table holding the records (`id`, `unit_id`). */
  table: string;
  /** The record as the contract's JSON text, of the row aliased `t`. */
  json(t: string): string;
  /**
   * More conditions on the row aliased `t` for it to be in the feed: `cutoff` is the SQL parameter
   * of the kind's retention cutoff, `staff` that of the pulling staff member's id (a record for some
   * people of the unit only: a message thread). A row failing it is a delete, as a gone record is.
   */
  where?(t: string, params: FeedParams): string;
  /**
   * Who may know of the record at all (same parameters): a row failing it is nothing in the feed,
   * not even a delete, so its id does not reach the puller. Only for a condition the record's
   * whole life through (a thread's participants never change): the puller never had the record.
   */
  audience?(t: string, params: FeedParams): string;
}

/** A feed record built in JavaScript (few, large records: an assignment with its history). */
export interface LoadedFeed {
  load(tx: Queryable, ids: readonly string[]): Promise<{ id: string; unitId: string }[]>;
}

// ---- push ----

/** What every kind's rules may use: the clients the batch names and the record ids taken. */
export interface SharedState {
  /** The clients the batch refers to: id → unit. Absent: no such client. */
  clients: Map<string, string>;
  /** Ids taken by a record of a kind with `idTable`, of those the batch creates (ids are unique across kinds). */
  taken: Set<string>;
}
export interface SharedKeys {
  clientIds: Set<string>;
  createdIds: Set<string>;
}

/** The organisation's configured code lists the rules check codes against (the server's settings, handed in by server/app.ts). */
export interface CodeLists {
  /** KSI (KSI_LIST_FILE, or the example list): a plan activity's code must be in it. */
  ksi: KsiIndex;
}

export interface RuleContext {
  /** unitIds of the user's scope now. */
  scope: ReadonlySet<string>;
  now: Date;
  codes: CodeLists;
  /** Who pushes (kinds whose records are for some people of a unit only: messages). */
  staff?: StaffRecord;
  /**
   * Whether the session's assurance level opens client data (issue 29, server/auth/assurance.ts);
   * absent: it does. Below it only mutations whose rules say `clientFree` are decided at all.
   */
  clientData?: boolean;
}

export interface WriteContext {
  staff: StaffRecord;
  now: Date;
}

/** A write, decided by a kind's rules; consecutive writes of one `kind` become one statement. */
export interface KindWrite {
  kind: string;
  mutation: Mutation;
}

export type KindDecision<W extends KindWrite = KindWrite> =
  | { status: 'refused'; mutationId: string; code: ErrorCode; message: string }
  | {
      status: 'applied';
      mutationId: string;
      recordType: RecordType;
      recordId: string;
      /** The unit whose feed changes. */
      unitId: string;
      clientId: string | null;
      /** null: applied without change (a note summarised already). */
      write: W | null;
    };

/** The rules of one mutation type: what to load, the decision (pure), what a write changes in the batch's state, the write. */
export interface MutationRules<M extends Mutation, S, K, W extends KindWrite> {
  keys(m: M, keys: SharedKeys & K): void;
  decide(m: M, state: SharedState & S, ctx: RuleContext): KindDecision<W>;
  /**
   * Whether the mutation touches no client data, judged from the loaded state (the stored
   * records), never from what the workstation claims. Absent: it does; a session below client
   * data's level gets LOA_TOO_LOW for it (server/sync/push-rules.ts).
   */
  clientFree?(m: M, state: SharedState & S): boolean;
}

export interface PushRules<S, K extends Record<string, Set<string>>, W extends KindWrite> {
  /** The table the kind's created ids live in (checked for ids taken); a subquery with an alias for several. */
  idTable?: string;
  messages: Record<string, string>;
  emptyState(): S;
  emptyKeys(): K;
  /** Loads the kind's state for the keys (rows it marks: FOR UPDATE, in id order). */
  load(tx: Queryable, keys: { [P in keyof K]: string[] }, state: S): Promise<void>;
  /** The state after `write`: what later mutations of the batch must see. */
  remember(write: W, state: SharedState & S): void;
  /** Executes a run of writes of one kind in order; returns the rows written (all of them, or the run throws). */
  writers: { [Kind in W['kind']]: (tx: Queryable, writes: Extract<W, { kind: Kind }>[], ctx: WriteContext) => Promise<{ id: string }[]> };
  mutations: Record<string, MutationRules<never, S, K, W>>;
}

/**
 * Records deleted after the kind's retention period: rows of `table` whose `column` is before the
 * cutoff. Each delete enters the feed as a delete. The period is the server's setting `env`
 * (whole days, 1–3650), `defaultDays` without it; pull answers carry it (`retentionDays`).
 */
export interface Retention {
  table: string;
  column: string;
  env: string;
  defaultDays: number;
}

export interface ServerKind<N extends RecordType = RecordType> {
  name: N;
  feed: SqlFeed | LoadedFeed;
  retention?: Retention;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each kind's own state, keys and writes
  push?: PushRules<any, any, any>;
  /** The kind's own HTTP API beyond sync (the case officer's side, say): server/app.ts registers every kind's. */
  routes?: (app: FastifyInstance, deps: KindRouteDeps) => void;
  /**
   * The kind's evidence tables, whose rows must never change or disappear: the runtime database
   * role may only INSERT into them (server/db/roles.ts; the table also gets a trigger refusing
   * UPDATE and DELETE in its migration).
   */
  appendOnly?: readonly string[];
  /** Demo records of the kind for `SEED=1` (server/demo.ts runs every kind's, in one transaction); whether it added any. */
  seed?: (tx: Queryable, now: Date) => Promise<boolean>;
}

/** What every kind's routes get: the database, the session check, the clock. */
export interface KindRouteDeps {
  db: Db;
  requireSession: preHandlerAsyncHookHandler;
  now: () => Date;
  /** The level each function needs (server/auth/assurance.ts); absent: the defaults. */
  assurance?: AssuranceLevels;
}

export const defineServerKind = <N extends RecordType, K extends ServerKind<N>>(kind: K & ServerKind<N>): K => kind;

// ---- helpers for the rules ----

export const SHARED_MESSAGES = {
  clientForbidden: 'Du har inte behörighet till brukaren. Behörigheten kan ha upphört.',
  unitForbidden: 'Du har inte behörighet till enheten. Behörigheten kan ha upphört.',
  duplicateId: 'Det finns redan en annan post med samma id.',
  clientNotInUnit: 'Brukaren hör inte till den valda enheten.',
  mutationIdTaken: 'Ändringens id används redan av en annan användare.',
  loaTooLow: 'Ändringen rör brukaruppgifter, som din inloggning inte öppnar: de kräver en högre tillitsnivå. Den väntar och skickas när du loggar in med SITHS-kortet eller med e-legitimation på den nivån.',
} as const;

export const refused = <W extends KindWrite>(m: Mutation, code: ErrorCode, message: string): KindDecision<W> => ({ status: 'refused', mutationId: m.mutationId, code, message });
export const applied = <W extends KindWrite>(
  m: Mutation,
  recordType: RecordType,
  where: { unitId: string; clientId: string | null },
  write: W | null,
): KindDecision<W> => ({ status: 'applied', mutationId: m.mutationId, recordType, recordId: m.record.id, unitId: where.unitId, clientId: where.clientId, write });

/** One day of slack for a workstation clock a little ahead. */
export const tomorrow = (now: Date) => swedishDate(new Date(now.getTime() + 24 * 3600_000));

/** The client if it exists and is in scope; unknown and out of scope answer alike (existence is not revealed). */
export function clientInScope(state: SharedState, clientId: string, ctx: RuleContext): { id: string; unitId: string } | null {
  const unitId = state.clients.get(clientId);
  return unitId !== undefined && ctx.scope.has(unitId) ? { id: clientId, unitId } : null;
}

export const authorName = (s: StaffRecord) => `${s.givenName} ${s.familyName}`;
