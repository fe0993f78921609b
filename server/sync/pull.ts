import type { PermittedUnit } from '#contract';
import type { Cursors, PullNext, PullResponse } from '#contract';
import type { Db, Queryable } from '../db/types';
import type { LoadedFeed, SqlFeed } from './kind';
import { retentionCutoff, type RetainedKind, type RetentionDays } from './retention';

export const DEFAULT_PULL_LIMIT = 1000;

/**
 * Synced kinds added after API version 1, by the version that first knows them. A workstation
 * stating an older version never receives their changes; its cursors still pass them (found by
 * test/integration/server/previous-release.test.ts: the previous release's workstation stayed
 * offline against this server, refusing every page that held a deviation).
 */
export const KIND_SINCE_API_VERSION: Readonly<Record<string, number>> = { deviation: 2, consent: 2 };
const hiddenKinds = (apiVersion: number | undefined): string[] =>
  apiVersion === undefined ? [] : Object.entries(KIND_SINCE_API_VERSION).flatMap(([kind, since]) => (apiVersion < since ? [kind] : []));

export interface PullInput {
  /**
   * The user's scope now (syncScope), or how to read it inside the pull's transaction: then it
   * comes from the page's own snapshot, on the page's connection (one pooled connection a pull
   * fewer to wait for).
   */
  units: PermittedUnit[] | ((tx: Queryable) => Promise<PermittedUnit[]>);
  cursors: Cursors;
  limit?: number;
  now: Date;
  /** The kinds' retention periods (retentionDaysOf: every retained kind's). */
  retentionDays: RetentionDays;
  /**
   * The API version the workstation stated (x-omsorg-api-version; none: 1). Kinds newer than it
   * (KIND_SINCE_API_VERSION) are left out of its pages: its parser knows only its own kinds and
   * refuses a whole page holding another. Absent: this server's version (every kind).
   */
  apiVersion?: number;
  /** Who pulls: the `staff` parameter of a kind's `where` (records for some people of a unit only, e.g. a message thread); absent: no one's. */
  staffId?: string;
  /** Only these kinds (a session below client data's level, server/auth/assurance.ts); null or absent: all. */
  kinds?: string[] | null;
  /** False: no record about a client in a kind that may name one (a message thread): `clientData` of a kind's `where`/`audience`. Default true. */
  clientData?: boolean;
}

/**
 * One run of a page's changes in seq order (PAGE_SQL): an upsert of a kind the server builds here
 * (a LoadedFeed: assignments; a_*), then the changes up to the next one as JSON text built by PostgreSQL.
 */
interface RunRow {
  fetched: string | number;
  returned_max: string | null;
  a_type: string | null;
  a_id: string | null;
  a_seq: string | number | null;
  a_unit: string | null;
  a_after: string | number | null;
  changes: string | null;
  n: string | number;
  /** When nothing more waits: each unit's highest seq (0 for none), as a JSON object; else null. */
  unit_max: string | null;
}

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** What a pull runs for a list of kinds (built once, by syncRegistry): the page's SQL, the kinds built in JavaScript, the retained kinds. */
export interface PullFeed {
  pageSql: string;
  loaded: ReadonlyMap<string, LoadedFeed>;
  retained: readonly RetainedKind[];
}

/**
 * The page as PostgreSQL builds it (see pullChanges): the first `$3 + 1` changes after the units'
 * cursors ($1 units, $2 cursors) give `fetched` (more than `$3`: hasMore); the first `$3` of them
 * are resolved to their records' current rows (each SQL-built kind's `feed`) — a record that is
 * gone, in another unit now, or failing its kind's `where` (a day note past its retention cutoff, `$5`…) is a
 * delete, or nothing when its unit is pulled from 0; one outside its kind's `audience` (a thread the
 * puller, `$4`, is not in) is nothing at all — and written as the contract's Change JSON,
 * joined with commas per run. A run starts at each upsert of a kind built in JavaScript (the server
 * adds those: assignments, few, with their history) so the order of seqs is kept.
 * `returned_max`: the highest seq of each unit among the `$3`, as a JSON object; `unit_max` (when no
 * more wait) each unit's highest seq. The last SELECT always gives a row, an empty page too.
 */
export function pullFeed(kinds: readonly { name: string; feed: SqlFeed | LoadedFeed }[], retained: readonly RetainedKind[]): PullFeed {
  const sqlKinds = kinds.flatMap((k) => ('table' in k.feed ? [{ name: k.name, feed: k.feed as SqlFeed }] : []));
  const loaded = new Map(kinds.flatMap((k) => ('load' in k.feed ? [[k.name as string, k.feed as LoadedFeed] as const] : [])));
  /** Upserts of the kinds built in JavaScript: each starts a run. */
  const isLoaded = loaded.size === 0 ? 'false' : `p.op = 'upsert' AND p.record_type IN (${[...loaded.keys()].map(quote).join(', ')})`;
  /** The SQL parameters a kind's `where` may use: the pulling staff member's id ($4, also selected as `no_viewer` so its type is known) and its retention cutoff ($5, $6, … in `retained`'s order). */
  const whereParams = (name: string): { cutoff: string; staff: string; clientData: string } => {
    const i = retained.findIndex((k) => k.name === name);
    return { cutoff: i < 0 ? 'NULL::timestamptz' : `$${5 + i}::timestamptz`, staff: '$4::uuid', clientData: CLIENT_DATA };
  };
  /** After the cutoffs: the kinds a session may pull (NULL: all) and whether client data comes along. */
  const KINDS = `$${5 + retained.length}::text[]`;
  const CLIENT_DATA = `$${6 + retained.length}::boolean`;
  /** Then the record types newer than the pulling workstation's API version (hiddenKinds): never sent to it. */
  const HIDDEN = `$${7 + retained.length}::text[]`;
  // Each SQL-built kind's record, found by its primary key (the record's current row in the change's
  // unit). A row outside the kind's `audience` is `hidden`: no change at all, not even a delete.
  const records = sqlKinds
    .map(({ name, feed }) => {
      const audience = feed.audience ? `coalesce(${feed.audience('x', whereParams(name))}, false)` : undefined;
      const json = audience ? `CASE WHEN ${audience} THEN ${feed.json('x')} END` : feed.json('x');
      const first = name === sqlKinds[0]!.name;
      return `SELECT ${json}${first ? ' AS json' : ''}, ${audience ? `NOT (${audience})` : 'false'}${first ? ' AS hidden' : ''} FROM ${feed.table} x
       WHERE p.op = 'upsert' AND p.record_type = ${quote(name)} AND x.id = p.record_id AND x.unit_id = p.unit_id${feed.where ? ` AND ${feed.where('x', whereParams(name))}` : ''}`;
    })
    .join('\n      UNION ALL\n      ');

  const pageSql = `
WITH page AS MATERIALIZED (
  SELECT ch.seq, ch.unit_id, ch.record_type, ch.record_id, ch.op, ch.after
    FROM unnest($1::uuid[], $2::bigint[]) AS c(unit_id, after)
   CROSS JOIN LATERAL (
     SELECT ch.seq, ch.unit_id, ch.record_type, ch.record_id, ch.op, c.after
       FROM changes ch
      WHERE ch.unit_id = c.unit_id AND ch.seq > c.after
        AND NOT (c.after = 0 AND ch.op = 'delete')
        AND (${KINDS} IS NULL OR ch.record_type = ANY(${KINDS}))
        AND NOT (ch.record_type = ANY(${HIDDEN}))
      ORDER BY ch.seq
      LIMIT $3 + 1) ch
   ORDER BY ch.seq
   LIMIT $3 + 1
), returned AS MATERIALIZED (
  SELECT * FROM page ORDER BY seq LIMIT $3
), rendered AS (
  SELECT p.seq, p.unit_id, p.record_id, p.after,
         ${isLoaded} AS is_loaded, p.record_type,
         CASE
           WHEN ${isLoaded} THEN NULL
           WHEN r.json IS NOT NULL THEN '{"seq":' || p.seq || ',"op":"upsert","type":"' || p.record_type || '","id":"' || p.record_id
             || '","unitId":"' || p.unit_id || '","record":' || r.json || '}'
           WHEN r.hidden THEN NULL
           WHEN p.after > 0 THEN '{"seq":' || p.seq || ',"op":"delete","type":"' || p.record_type || '","id":"' || p.record_id
             || '","unitId":"' || p.unit_id || '"}'
         END AS change
    FROM returned p
    LEFT JOIN LATERAL (
      ${records}
    ) r ON true
), runs AS (
  SELECT *, count(*) FILTER (WHERE is_loaded) OVER (ORDER BY seq) AS run FROM rendered
)
SELECT (SELECT count(*) FROM page) AS fetched, $4::uuid IS NULL AS no_viewer, ${CLIENT_DATA} AS client_data,
       (SELECT json_object_agg(unit_id, m)::text FROM (SELECT unit_id, max(seq) AS m FROM returned GROUP BY unit_id) u) AS returned_max,
       CASE WHEN (SELECT count(*) FROM page) <= $3 THEN
         (SELECT json_object_agg(u, coalesce((SELECT max(ch.seq) FROM changes ch WHERE ch.unit_id = u), 0))::text FROM unnest($1::uuid[]) AS u)
       END AS unit_max,
       min(record_type) FILTER (WHERE is_loaded) AS a_type,
       min(record_id::text) FILTER (WHERE is_loaded) AS a_id,
       min(seq) FILTER (WHERE is_loaded) AS a_seq,
       min(unit_id::text) FILTER (WHERE is_loaded) AS a_unit,
       min(after) FILTER (WHERE is_loaded) AS a_after,
       string_agg(change, ',' ORDER BY seq) AS changes,
       count(change) AS n
  FROM (SELECT 1) AS one LEFT JOIN runs ON true -- one row even for an empty page: it carries unit_max
 GROUP BY run
 ORDER BY run`;
  return { pageSql, loaded, retained };
}

/**
 * A pull page: the PullResponse as JSON text (the records' JSON comes from PostgreSQL, see
 * records.ts), its `cursors` and `hasMore` (the `x-sync-next` header), and how many changes it holds.
 */
export interface PullPage {
  json: string;
  next: PullNext;
  count: number;
}

/**
 * The change feed of the user's units since their cursors (docs/sync.md):
 * - only units in `units`; cursors of other units are ignored and not returned (the workstation
 *   purges those units);
 * - per record its latest change (the feed keeps no other, migration 0006), resolved to the
 *   record as it is now: a record that is gone, moved to another unit, or a day note past
 *   the retention becomes a delete;
 * - a unit pulled from 0 gets no deletes (it holds nothing to delete);
 * - ordered by seq across units, at most `limit`; `hasMore` when more wait;
 * - new cursors: the highest seq returned for the unit, or — when nothing more waits — the unit's
 *   highest seq, so an idle unit's cursor still advances.
 * Reads in one REPEATABLE READ snapshot: changes, records and cursors agree with each other.
 */
export async function pullChanges(db: Db, feed: PullFeed, input: PullInput): Promise<PullPage> {
  const limit = input.limit ?? DEFAULT_PULL_LIMIT;
  const cutoffs = feed.retained.map((k) => retentionCutoff(input.now, input.retentionDays[k.name] ?? k.defaultDays));

  const { units, unitIds, afters, runs, loaded } = await db.transaction(
    async (tx) => {
      const units = typeof input.units === 'function' ? await input.units(tx) : input.units;
      const unitIds = units.map((u) => u.unitId);
      const afters = unitIds.map((id) => input.cursors[id] ?? 0);
      // Prepared once per connection: planning this statement took ~10 ms, running an incremental page 0.5 ms (bench -- server).
      const { rows: runs } = await tx.query<RunRow>(feed.pageSql, [unitIds, afters, limit, input.staffId ?? null, ...cutoffs, input.kinds ?? null, input.clientData ?? true, hiddenKinds(input.apiVersion)], { prepare: true });
      // Few, and with their history: built here by their kinds' own mapping (LoadedFeed).
      const loaded = new Map<string, { id: string; unitId: string }>();
      for (const [type, kind] of feed.loaded) {
        const wanted = runs.flatMap((r) => (r.a_id && r.a_type === type ? [r.a_id] : []));
        if (wanted.length > 0) for (const rec of await kind.load(tx, wanted)) loaded.set(`${type}:${rec.id}`, rec);
      }
      return { units, unitIds, afters, runs, loaded };
    },
    // Sent with the BEGIN, one round trip (a transaction of three: BEGIN, the page, COMMIT):
    // - REPEATABLE READ: changes, records and cursors from one snapshot.
    // - No bitmap scans: the feed holds only the latest change of each record (migration 0006
    //   compacts on write), so the page is the first `limit` rows of each unit's (unit_id, seq)
    //   index after its cursor: cost in proportion to the page, not to the feed. Without
    //   statistics (PGlite never runs ANALYZE) the planner guesses a few dozen rows and reads the
    //   unit's whole remaining feed through a bitmap scan and a top-N sort instead (95 ms a page at
    //   50k changes, against 12 ms). Each record is found by its primary key in a LATERAL
    //   subquery: one index probe per change, whatever the size of the tables.
    // - No JIT: a full page (5,000 changes) is estimated above jit_above_cost, and PostgreSQL
    //   compiled it (190–750 ms in EXPLAIN ANALYZE under load, PostgreSQL 15) for each custom plan
    //   (a connection's first five runs). A 50k-record sync from empty cost PostgreSQL 1,390 ms of
    //   CPU with JIT, 750 ms without (11 pages; the cluster's processes in /proc).
    // - work_mem: a full page's changes as text (about 3 MB) are sorted for string_agg; with the
    //   default 4 MB the sort spilled to disk.
    { mode: 'ISOLATION LEVEL REPEATABLE READ READ ONLY', settings: { enable_bitmapscan: 'off', jit: 'off', work_mem: '16MB' } },
  );
  const hasMore = runs.length > 0 && Number(runs[0]!.fetched) > limit;
  const unitMax = new Map(Object.entries((runs[0]?.unit_max ? JSON.parse(runs[0].unit_max) : {}) as Record<string, number>));

  const changes: string[] = [];
  let count = 0;
  for (const r of runs) {
    if (r.a_id) {
      const record = loaded.get(`${r.a_type}:${r.a_id}`);
      const ids = `"type":${JSON.stringify(r.a_type)},"id":${JSON.stringify(r.a_id)},"unitId":${JSON.stringify(r.a_unit)}`;
      // Gone or in another unit now: a delete, or nothing when its unit is pulled from 0.
      const change =
        record && record.unitId === r.a_unit
          ? `{"seq":${Number(r.a_seq)},"op":"upsert",${ids},"record":${JSON.stringify(record)}}`
          : Number(r.a_after) > 0
            ? `{"seq":${Number(r.a_seq)},"op":"delete",${ids}}`
            : null;
      if (change !== null) {
        changes.push(change);
        count++;
      }
    }
    if (r.changes !== null) {
      changes.push(r.changes);
      count += Number(r.n);
    }
  }

  const returnedMax = new Map(Object.entries((runs[0]?.returned_max ? JSON.parse(runs[0].returned_max) : {}) as Record<string, number>));
  const cursors: Cursors = {};
  for (const [i, unitId] of unitIds.entries()) {
    const after = afters[i]!;
    const next = hasMore ? (returnedMax.get(unitId) ?? after) : (unitMax.get(unitId) ?? 0);
    cursors[unitId] = Math.max(after, Number(next));
  }

  const rest: Omit<PullResponse, 'changes'> = {
    units,
    cursors,
    hasMore,
    serverTime: input.now.toISOString(),
    retentionDays: input.retentionDays,
  };
  const envelope = JSON.stringify(rest);
  return {
    json: `{"changes":[${changes.join(',')}],${envelope.slice(1)}`,
    next: { cursors, hasMore },
    count,
  };
}
