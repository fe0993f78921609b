/**
 * The server's side of a first sync, without a workstation or HTTP (`npm run bench -- sync-pull
 * [--entries N] [--notes N] [--pull-limit N] [--reps N]`): bench sync's unit (bench/sync-seed.ts)
 * on a throwaway PostgreSQL cluster with production settings, and its first sync's pulls replayed
 * `--reps` times in this process as the pull route runs them (server/sync/routes.ts): the scope
 * read in the page's transaction, the page, one access-log `read` event per page, and the page
 * turned into the UTF-8 bytes the route sends. CPU is counted, not wall time, so a loaded
 * machine moves the figures less:
 *   - sync_pull_server_cpu_per_page_ms: this process (the server's JavaScript, node-postgres);
 *   - sync_pull_db_cpu_per_page_ms: the database cluster's processes (bench/pg-cpu.ts);
 * each the median over the reps after the first; the first (a new process and new connections,
 * as bench sync's server has) is printed beside it.
 */
import { API_VERSION } from '#contract';
import { SqlAccessLog } from '../server/audit/access-log';
import { SqlStaffDirectory } from '../server/auth/staff';
import { migrate, openDb } from '../server/db';
import { seedDemoData } from '../server/demo';
import { SERVER_REGISTRY } from '../server/kinds';
import { pullChanges } from '../server/sync/pull';
import { retentionDaysOf } from '../server/sync/retention';
import { syncScope } from '../server/sync/scope';
import { startPostgres } from '../test/support/postgres-setup';
import { BACKEND_PID_SQL, postmasterOf, processTreeCpuMs } from './pg-cpu';
import { arg, calibrationMs, report } from './report';
import { SARA, seedBenchUnit } from './sync-seed';

const BENCH = 'sync-pull';

export async function run(args: string[]): Promise<void> {
  const entries = arg(args, 'entries', 25_000);
  const notes = arg(args, 'notes', 25_000);
  const limit = arg(args, 'pull-limit', 5000);
  const reps = Math.max(2, arg(args, 'reps', 7));
  const pg = await startPostgres({ durable: true });
  const db = await openDb({ databaseUrl: pg.url });
  try {
    await migrate(db);
    await seedDemoData(db);
    await seedBenchUnit(db, 'Hemtjänst Bänken', entries, notes);
    const staffId = (await db.query<{ id: string }>('SELECT id FROM staff WHERE hsa_id = $1', [SARA])).rows[0]!.id;
    const postmaster = postmasterOf((await db.query<{ pid: number }>(BACKEND_PID_SQL)).rows[0]!.pid);
    const accessLog = new SqlAccessLog(db);
    const retentionDays = retentionDaysOf(SERVER_REGISTRY.retained);
    const syncs: { pages: number; changes: number; bytes: number; serverMs: number; dbMs: number }[] = [];
    for (let rep = 0; rep < reps; rep++) {
      const cpu0 = process.cpuUsage();
      const db0 = processTreeCpuMs(postmaster);
      let cursors: Record<string, number> = {};
      let pages = 0;
      let changes = 0;
      let bytes = 0;
      for (;;) {
        const now = new Date();
        const page = await pullChanges(db, SERVER_REGISTRY.pull, {
          units: (tx) => syncScope(new SqlStaffDirectory(tx), staffId, now),
          cursors,
          limit,
          now,
          retentionDays,
          staffId,
          apiVersion: API_VERSION,
        });
        if (page.count > 0) await accessLog.record({ action: 'read', outcome: 'success', actorStaffId: staffId, actorHsaId: SARA, recordType: 'sync', at: now });
        bytes += Buffer.byteLength(page.json);
        pages++;
        changes += page.count;
        cursors = page.next.cursors;
        if (!page.next.hasMore) break;
      }
      const cpu = process.cpuUsage(cpu0);
      syncs.push({ pages, changes, bytes, serverMs: (cpu.user + cpu.system) / 1000, dbMs: processTreeCpuMs(postmaster) - db0 });
    }
    const [first, ...rest] = syncs as [(typeof syncs)[0], ...typeof syncs];
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const perPage = (ms: number) => ms / first.pages;
    const calibration = calibrationMs();
    const common = { pages: first.pages, changes: first.changes, page_mb: Math.round(first.bytes / first.pages / 1e4) / 100, pull_limit: limit, reps: rest.length, calibration_ms: Math.round(calibration * 10) / 10 };
    report(BENCH, 'sync_pull_server_cpu_per_page_ms', perPage(median(rest.map((s) => s.serverMs))), 'ms', { ...common, first_rep_ms: Math.round(perPage(first.serverMs) * 10) / 10, per_sync_ms: Math.round(median(rest.map((s) => s.serverMs))) });
    report(BENCH, 'sync_pull_db_cpu_per_page_ms', perPage(median(rest.map((s) => s.dbMs))), 'ms', { ...common, first_rep_ms: Math.round(perPage(first.dbMs) * 10) / 10, per_sync_ms: Math.round(median(rest.map((s) => s.dbMs))) });
  } finally {
    await db.close();
    await pg.stop();
  }
}
