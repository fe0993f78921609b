/**
 * How long migration 0080 (the access log partitioned by month) takes on a big log
 * (`npm run bench -- partition [--rows N] [--runs N]`, default 1,000,000 rows, 1 run): 0080 copies
 * the whole log into the month partitions in one transaction, and the log takes no new rows until
 * it commits (docs/operations.md: a maintenance window). On a throwaway PostgreSQL cluster with
 * production settings (fsync on): the schema up to 0079, N generated rows over five years (the
 * chain's hashes are stand-ins: 0080 copies rows, it does not check them), CHECKPOINT, then 0080
 * alone, timed. Prints beside the time what does not depend on the machine's load: the cluster's
 * CPU, the WAL written and the log's size, and the machine calibration before and after.
 */
import { loadMigrations, migrate } from '../server/db/migrate';
import { openPostgres } from '../server/db/postgres';
import { startPostgres } from '../test/support/postgres-setup';
import { BACKEND_PID_SQL, postmasterOf, processTreeCpuMs } from './pg-cpu';
import { arg, calibrationMs, report } from './report';

const BENCH = 'partition';
const PARTITIONS = 80;
const YEARS = 5;

export async function run(args: string[]): Promise<void> {
  const rows = arg(args, 'rows', 1_000_000);
  const runs = arg(args, 'runs', 1);
  for (let i = 0; i < runs; i++) await once(rows);
}

async function once(rows: number): Promise<void> {
  const calibrationBefore = calibrationMs();
  const pg = await startPostgres({ durable: true });
  const db = await openPostgres({ connectionString: pg.url, maxConnections: 2 });
  try {
    const all = await loadMigrations();
    await migrate(db, { migrations: all.filter((m) => m.version < PARTITIONS) });
    const t0 = performance.now();
    // The log as a provider's five years of it: spread evenly in time, 2,000 people, 20,000 clients.
    // Triggers off for the load (the chain's and the unit's): the rows are written as they stand.
    await db.transaction(async (tx) => {
      await tx.exec(`SET LOCAL session_replication_role = replica`);
      await tx.query(
        `INSERT INTO access_log (id, at, actor_staff_id, actor_hsa_id, action, outcome, client_id, record_type, record_id, workstation, prev_hash, hash)
         SELECT g, now() - interval '${YEARS} years' + (g::float8 / $1) * interval '${YEARS} years',
                md5('staff' || g % 2000)::uuid, 'SE2321000131-B' || lpad((g % 2000)::text, 9, '0'),
                (ARRAY['read','read','read','login','change','export'])[1 + g % 6], 'success',
                md5('client' || g % 20000)::uuid, 'journal_entry', md5('record' || g)::uuid::text, 'ws-' || g % 500,
                md5('p' || g) || md5('q' || g), md5('h' || g) || md5('i' || g)
           FROM generate_series(1, $1::int) g`,
        [rows],
      );
    });
    await db.query(`SELECT setval('access_log_id_seq', $1)`, [rows]);
    for (const sql of ['VACUUM ANALYZE access_log', 'CHECKPOINT']) await db.exec(sql);
    const generateS = (performance.now() - t0) / 1000;
    const size = (await db.query<{ mb: number }>(`SELECT round(pg_total_relation_size('access_log') / 1048576.0)::int AS mb`)).rows[0]!.mb;

    const postmaster = postmasterOf((await db.query<{ pid: number }>(BACKEND_PID_SQL)).rows[0]!.pid);
    const walBefore = (await db.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn;
    const cpuBefore = processTreeCpuMs(postmaster);
    const t1 = performance.now();
    const applied = await migrate(db, { migrations: all.filter((m) => m.version === PARTITIONS) });
    const migrateS = (performance.now() - t1) / 1000;
    const cpuMs = processTreeCpuMs(postmaster) - cpuBefore;
    const wal = (await db.query<{ mb: number }>(`SELECT round(pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn) / 1048576.0)::int AS mb`, [walBefore])).rows[0]!.mb;
    if (applied.join() !== String(PARTITIONS)) throw new Error(`expected migration ${PARTITIONS} alone, applied ${applied.join(', ')}`);
    const counted = (await db.query<{ n: number; parts: number }>(
      `SELECT (SELECT count(*)::int FROM access_log) AS n, (SELECT count(*)::int FROM pg_inherits WHERE inhparent = 'access_log'::regclass) AS parts`,
    )).rows[0]!;
    if (counted.n !== rows) throw new Error(`expected ${rows} rows after the migration, found ${counted.n}`);
    report(BENCH, 'migration_0080_s', migrateS, 's', {
      rows,
      partitions: counted.parts,
      log_mb_before: size,
      db_cpu_ms: Math.round(cpuMs),
      wal_mb: wal,
      generate_s: Math.round(generateS * 10) / 10,
      calibration_before_ms: Math.round(calibrationBefore * 10) / 10,
      calibration_after_ms: Math.round(calibrationMs() * 10) / 10,
      what: 'migration 0080 alone on a log of `rows` rows (one transaction: the log takes no rows meanwhile), fsync on',
    });
  } finally {
    await db.close();
    await pg.stop();
  }
}
