/**
 * Access-log follow-up over a big log (`npm run bench -- accesslog [--rows N] [--runs N]`):
 * the administrator's targeted searches (server/audit/follow-up.ts) over N generated log rows
 * (default 10 million, five years, 2,000 people, 20,000 clients in 20 units) on a throwaway
 * PostgreSQL cluster, or on DATABASE_URL (an empty database: it is filled). Budget: p50 < 200 ms.
 *
 * The rows are generated in SQL (generate_series) with the chain trigger switched off, the month
 * partitions (migration 0080) unlogged (no WAL: the search only reads) and the indexes built after the load, which keeps generation to a few minutes: the chain of such a log
 * is not valid (its hashes are stand-ins), and the search never reads it. Prints the machine
 * calibration beside the figures; each search is timed with fresh criteria, after one warm-up round.
 */
import { LogSearch } from '#contract';
import { searchLog, sampleReads, type Search } from '../server/audit/follow-up';
import { migrate, openPostgres, type Db } from '../server/db';
import { seedDemoData } from '../server/demo';
import { startPostgres } from '../test/support/postgres-setup';
import { arg, calibrationMs, percentile, report } from './report';

const BENCH = 'accesslog';
const STAFF = 2_000;
const CLIENTS = 20_000;
const UNITS = 20;
const YEARS = 5;

async function generate(db: Db, rows: number): Promise<{ organisationId: string; seconds: number }> {
  const t0 = performance.now();
  await seedDemoData(db);
  const org = (await db.query<{ id: string }>('SELECT id FROM organisations LIMIT 1')).rows[0]!.id;
  await db.query(`INSERT INTO units (organisation_id, name, service_type) SELECT $1, 'Bänkenhet ' || g, 'hemtjanst' FROM generate_series(1, ${UNITS}) g`, [org]);
  await db.query(
    `INSERT INTO staff (hsa_id, given_name, family_name, title, role, organisation_id)
     SELECT 'SE2321000131-B' || lpad(g::text, 9, '0'), 'Person', 'Nummer ' || g, 'Undersköterska', 'staff', $1 FROM generate_series(1, ${STAFF}) g`,
    [org],
  );
  await db.query(
    `INSERT INTO clients (personnummer, given_name, family_name, unit_id)
     SELECT '18' || lpad(g::text, 10, '0'), 'Brukare', 'Nummer ' || g, u.id
       FROM generate_series(1, ${CLIENTS}) g
       JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM units WHERE name LIKE 'Bänkenhet %') u ON u.n = g % ${UNITS}`,
  );
  // Bulk load: no chain trigger, no secondary indexes (built once afterwards, much faster).
  await db.exec(`
    ALTER TABLE access_log DISABLE TRIGGER access_log_chain;
    -- The month partitions of the five years (migration 0080), each unlogged (a partitioned table has no storage of its own).
    SELECT access_log_ensure_partitions(now() - interval '${YEARS} years 1 month', now());
    DO $$ DECLARE p text; BEGIN
      FOR p IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'access_log'::regclass LOOP
        EXECUTE format('ALTER TABLE %I SET UNLOGGED', p);
      END LOOP;
    END $$;
    ALTER TABLE access_log DROP CONSTRAINT access_log_hash_key;
    ALTER TABLE access_log DISABLE TRIGGER access_log_unit;
    DROP INDEX access_log_at_idx; DROP INDEX access_log_actor_staff_id_idx; DROP INDEX access_log_client_id_idx; DROP INDEX access_log_action_at_idx;
    DROP INDEX access_log_unit_at_idx; DROP INDEX access_log_unit_action_at_idx;
    CREATE TEMP TABLE bench_staff AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id, hsa_id FROM staff WHERE hsa_id LIKE 'SE2321000131-B%';
    CREATE TEMP TABLE bench_clients AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id, unit_id FROM clients WHERE personnummer LIKE '18%';
  `);
  const start = Date.now() - YEARS * 365 * 86_400_000;
  const stepMs = (YEARS * 365 * 86_400_000) / rows;
  const chunk = 1_000_000;
  for (let from = 1; from <= rows; from += chunk) {
    const to = Math.min(rows, from + chunk - 1);
    // Actions: 70 % read, 10 % copy, 3 % export, 7 % change, 8 % login, 2 % failed login.
    await db.query(
      `INSERT INTO access_log (id, at, actor_staff_id, actor_hsa_id, action, outcome, error_code, client_id, unit_id, record_type, workstation, prev_hash, hash)
       SELECT g, to_timestamp(($3::float8 + g * $4::float8) / 1000), s.id, s.hsa_id, x.action,
              CASE WHEN x.action = 'login_failed' THEN 'failure' ELSE 'success' END,
              CASE WHEN x.action = 'login_failed' THEN 'PIN_WRONG' END,
              CASE WHEN x.action IN ('read', 'copy', 'export', 'change') THEN c.id END,
              CASE WHEN x.action IN ('read', 'copy', 'export', 'change') THEN c.unit_id END,
              CASE WHEN x.action IN ('read', 'copy', 'export', 'change') THEN 'journal' END,
              'WS-' || (g % 300), repeat('0', 64), encode(sha256(int8send(g)), 'hex')
         FROM generate_series($1::bigint, $2::bigint) g
         CROSS JOIN LATERAL (SELECT CASE WHEN r < 70 THEN 'read' WHEN r < 80 THEN 'copy' WHEN r < 83 THEN 'export' WHEN r < 90 THEN 'change'
                                         WHEN r < 98 THEN 'login' ELSE 'login_failed' END AS action
                               FROM (SELECT (hashint8(g) & 2147483647) % 100 AS r) q) x
         JOIN bench_staff s ON s.n = (hashint8(g * 7) & 2147483647) % ${STAFF}
         JOIN bench_clients c ON c.n = (hashint8(g * 13) & 2147483647) % ${CLIENTS}`,
      [from, to, start, stepMs],
    );
  }
  await db.exec(`
    SELECT setval('access_log_id_seq', (SELECT max(id) FROM access_log));
    CREATE INDEX access_log_at_idx ON access_log (at);
    CREATE INDEX access_log_actor_staff_id_idx ON access_log (actor_staff_id, at);
    CREATE INDEX access_log_client_id_idx ON access_log (client_id, at);
    CREATE INDEX access_log_action_at_idx ON access_log (action, at);
    CREATE INDEX access_log_unit_at_idx ON access_log (unit_id, at);
    CREATE INDEX access_log_unit_action_at_idx ON access_log (unit_id, action, at);
    ALTER TABLE access_log ENABLE TRIGGER access_log_chain;
    ALTER TABLE access_log ENABLE TRIGGER access_log_unit;
    ANALYZE;
  `);
  return { organisationId: org, seconds: (performance.now() - t0) / 1000 };
}

/** BENCH_EXPLAIN=1: the plan of each search, to stderr. */
const explaining = (db: Db): Db =>
  ({
    ...db,
    query: async <T>(sql: string, params?: readonly unknown[]) => {
      const { rows } = await db.query<Record<string, string>>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
      console.error(rows.map((r) => Object.values(r)[0]).join('\n'));
      return { rows: [] as T[] };
    },
  }) as Db;

const day = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().slice(0, 10);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(Math.random() * xs.length)]!;

export async function run(args: string[]): Promise<void> {
  const rows = arg(args, 'rows', 10_000_000);
  const runs = arg(args, 'runs', 30);
  report(BENCH, 'machine_calibration_ms', calibrationMs(), 'ms', { what: 'SHA-256 of 64 MiB on one thread, best of 3: lower is a faster machine right now' });
  const cluster = process.env.DATABASE_URL ? null : await startPostgres();
  const db = await openPostgres({ connectionString: process.env.DATABASE_URL ?? cluster!.url, maxConnections: 2 });
  try {
    await migrate(db);
    const { organisationId, seconds } = await generate(db, rows);
    report(BENCH, 'generate_s', seconds, 's', { rows });
    const hsaIds = (await db.query<{ hsa_id: string; id: string }>(`SELECT hsa_id, id FROM staff WHERE hsa_id LIKE 'SE2321000131-B%'`)).rows;
    const clients = (await db.query<{ id: string; unit_id: string }>(`SELECT id, unit_id FROM clients WHERE personnummer LIKE '18%'`)).rows;
    const units = [...new Set(clients.map((c) => c.unit_id))];
    const Y = 365 * 86_400_000;

    // Each case: criteria drawn afresh per run, and what the route resolves from them.
    const cases: Record<string, () => [Search, { actorStaffId?: string; clientId?: string }]> = {
      by_client_5y: () => [LogSearch.parse({}), { clientId: pick(clients).id }],
      by_user_last_month: () => {
        const s = pick(hsaIds);
        return [LogSearch.parse({ from: day(30 * 86_400_000), to: day(0) }), { actorStaffId: s.id }];
      },
      by_unit_exports_one_year: () => {
        const from = Math.random() * 4 * Y + Y;
        return [LogSearch.parse({ unitId: pick(units), actions: ['export'], from: day(from), to: day(from - Y) }), {}];
      },
      failed_logins_one_month: () => {
        const from = Math.random() * 4 * Y + 30 * 86_400_000;
        return [LogSearch.parse({ actions: ['login_failed'], from: day(from), to: day(from - 30 * 86_400_000) }), {}];
      },
      newest_page: () => [LogSearch.parse({}), {}],
    };
    for (const [name, make] of Object.entries(cases)) {
      const samples: number[] = [];
      for (let i = 0; i < runs + 1; i++) {
        const [q, resolved] = make();
        if (i === 0 && process.env.BENCH_EXPLAIN) await searchLog(explaining(db), { organisationId, units: null }, q, resolved);
        const t0 = performance.now();
        const page = await searchLog(db, { organisationId, units: null }, q, resolved);
        const ms = performance.now() - t0;
        if (i > 0) samples.push(ms);
        if (page.rows.length === 0 && name !== 'by_user_last_month') throw new Error(`${name}: no rows found; the generated log is not what the bench expects`);
      }
      report(BENCH, `search_${name}_ms_p50`, percentile(samples, 50), 'ms', { rows, runs, budget_ms: 200 });
      report(BENCH, `search_${name}_ms_p95`, percentile(samples, 95), 'ms', { rows, runs });
    }
    const sample: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await sampleReads(db, { organisationId, units: null }, 20, new Date());
      sample.push(performance.now() - t0);
    }
    report(BENCH, 'sample_20_reads_ms_p50', percentile(sample, 50), 'ms', { rows, runs });
  } finally {
    await db.close();
    await cluster?.stop();
  }
}
