/**
 * Sync of one unit of 200 clients and ~50k records (25k journal entries, 25k day notes)
 * (`npm run bench -- sync [--entries N] [--notes N] [--pull-limit N] [--db postgres|pglite] [--cores split|shared] [--profile DIR]`):
 *   - sync_from_empty_s: PIN → session → the encrypted store filled (goal < 1.5 s, issue 33),
 *     with where its time and CPU went: `sync_from_empty_stage_*_ms`, `sync_from_empty_cpu_ms`, `sync_from_empty_server_pull_ms`,
 *   - push_1000_writes_s: 1,000 writes queued offline, pushed when the server is back (goal < 1 s),
 *   - main_loop_max_stall_ms: the workstation's longest event-loop stall during the full sync (goal < 16 ms).
 * The server runs in a child process, as in production it runs elsewhere, on PostgreSQL (see
 * serverDatabase) or with `--db pglite` on the embedded development database. By default the
 * server and database (and this harness) have one of this machine's two cores and the workstation
 * the other; `--cores shared` puts them all on both (bench/placement.ts).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import { appPackages, buildElectron, common } from '../scripts/build-electron';
import type { Db } from '../server/db';
import { startPostgres } from '../test/support/postgres-setup';
import { writeCardFile } from '../tools/card';
import { generateTestPki, issuePersonCard } from '../tools/pki';
import { place, placementArg, type Placement } from './placement';
import { report, arg } from './report';
import type { BenchServer } from './server';
import type { WorkstationConfig } from './sync-workstation';

const BENCH = 'sync';
const projectRoot = path.resolve(import.meta.dirname, '..');
const SARA = 'SE2321000131-P000000000103';
/** The benchmark's units are named so: those of earlier runs on the same database tell it has served before. */
const BENCH_UNIT = 'Hemtjänst Bänken ';


// ---------------------------------------------------------------- server (child process) ----

async function serve(): Promise<void> {
  // Imported here, in the server's process only: the workstation's process holds what it would in production.
  const { startBenchServer } = await import('./server');
  const { migrate, openDb } = await import('../server/db');
  const { seedDemoData } = await import('../server/demo');
  const entries = Number(process.env.BENCH_ENTRIES);
  const notes = Number(process.env.BENCH_NOTES);
  const dir = process.env.BENCH_DIR!;
  const databaseUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  const db = await openDb(databaseUrl ? { databaseUrl } : { dataDir: path.join(dir, 'pglite') });
  await migrate(db);
  await seedDemoData(db);
  const t0 = performance.now();
  const unitId = await db.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: string }>(
      `INSERT INTO units (organisation_id, name, service_type) SELECT id, $1, 'hemtjanst' FROM organisations ORDER BY created_at LIMIT 1 RETURNING id`,
      [`${BENCH_UNIT}${Date.now()}`],
    );
    const unit = rows[0]!.id;
    const prefix = String(2000 + Math.floor(Math.random() * 99)).padStart(4, '0');
    await tx.query(
      `INSERT INTO clients (personnummer, given_name, family_name, unit_id)
       SELECT $2 || lpad(g::text, 8, '0'), 'Brukare', 'Nummer ' || g, $1 FROM generate_series(1, 200) g
       ON CONFLICT (personnummer) DO NOTHING`,
      [unit, prefix],
    );
    await tx.query(
      `INSERT INTO journal_entries (id, client_id, unit_id, event_date, text, life_area, author_staff_id, author_hsa_id, author_name, author_title, created_at)
       SELECT gen_random_uuid(), c.ids[1 + g % array_length(c.ids, 1)], $1, current_date - (g % 365),
              'Besök ' || g || '. Hjälp med frukost, medicin och en kort promenad. Brukaren var nöjd och pigg i dag.',
              (ARRAY['self_care','mobility','domestic_life',NULL])[1 + g % 4], s.id, s.hsa_id, s.given_name || ' ' || s.family_name, s.title,
              now() - (g % 365) * interval '1 day'
         FROM generate_series(1, $2::int) g,
              (SELECT array_agg(id ORDER BY id) AS ids FROM clients WHERE unit_id = $1) c,
              (SELECT * FROM staff WHERE hsa_id = $3) s`,
      [unit, entries, SARA],
    );
    await tx.query(
      `INSERT INTO day_notes (id, unit_id, client_id, text, author_staff_id, author_hsa_id, author_name, author_title, created_at)
       SELECT gen_random_uuid(), $1, CASE WHEN g % 3 = 0 THEN NULL ELSE c.ids[1 + g % array_length(c.ids, 1)] END,
              'Anteckning ' || g || ': larmet testat, posten hämtad, anhörig ringer i kväll.',
              s.id, s.hsa_id, s.given_name || ' ' || s.family_name, s.title, now() - (g % 80) * interval '1 day' - (g % 1440) * interval '1 minute'
         FROM generate_series(1, $2::int) g,
              (SELECT array_agg(id ORDER BY id) AS ids FROM clients WHERE unit_id = $1) c,
              (SELECT * FROM staff WHERE hsa_id = $3) s`,
      [unit, notes, SARA],
    );
    await tx.query(`INSERT INTO permissions (staff_id, unit_id, valid_from) SELECT id, $1, '2025-01-01' FROM staff WHERE hsa_id = $2`, [unit, SARA]);
    return unit;
  });
  // A production database is vacuumed and analysed by autovacuum; the rows just bulk-inserted
  // here are not (PGlite never runs it), and the first reads would pay for setting hint bits.
  await db.query('VACUUM ANALYZE');
  const seedS = (performance.now() - t0) / 1000;
  const pki = await generateTestPki();
  const cardFile = await writeCardFile(path.join(dir, 'sara.json'), await issuePersonCard(pki, { hsaId: SARA, givenName: 'Sara', familyName: 'Nyström', pin: '123456' }));
  let origin = '';
  let port = 0;
  let app: BenchServer | null = null;
  const start = async () => {
    ({ app, url: origin, port } = await startBenchServer(db, pki, port));
  };
  await start();
  const say = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
  say({ ready: true, url: origin, cardFile, unitId, seedS, db: db.kind });
  createInterface({ input: process.stdin }).on('line', (line) => {
    void (async () => {
      if (line === 'stop') {
        await app?.close();
        app = null;
        say({ stopped: true });
      } else if (line === 'start') {
        await start();
        say({ started: true });
      } else if (line === 'conditions') {
        const { dbConditions } = await import('./sync-conditions');
        say({ ...(await dbConditions(db, BENCH_UNIT)), cluster_created_for_run: process.env.BENCH_PG_FRESH === '1' || db.kind === 'pglite' });
      } else if (line === 'stages') {
        say(await serverStages(db, app));
      } else if (line === 'count') {
        const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM day_notes WHERE unit_id = $1', [unitId]);
        say({ notes: rows[0]!.n });
      }
    })();
  });
  process.stdin.on('end', () => void (async () => {
    await app?.close();
    await db.close();
    process.exit(0);
  })());
}

/**
 * The server side's counters now (subtract two for a window): the server process's CPU, the
 * database's (PostgreSQL: the cluster's process tree on this machine; PGlite runs in the server
 * process), and the pull requests and their summed handling time from the server's /metrics.
 */
export interface ServerStages {
  server_cpu_ms: number;
  db_cpu_ms: number | null;
  pulls: number;
  pull_handling_ms: number;
}

let postmaster: number | null = null;
async function serverStages(db: Db, app: BenchServer | null): Promise<ServerStages> {
  const { BACKEND_PID_SQL, postmasterOf, processTreeCpuMs } = await import('./pg-cpu');
  if (db.kind === 'postgres' && postmaster === null) postmaster = postmasterOf((await db.query<{ pid: number }>(BACKEND_PID_SQL)).rows[0]!.pid);
  const cpu = process.cpuUsage();
  let pulls = 0;
  let pullS = 0;
  const metrics = app ? (await app.inject({ method: 'GET', url: '/metrics' })).body : '';
  for (const line of metrics.split('\n')) {
    if (!line.includes('route="/api/v1/sync/pull"')) continue;
    const n = Number(line.split(' ').at(-1));
    if (line.startsWith('omsorg_http_request_duration_seconds_count{')) pulls += n;
    else if (line.startsWith('omsorg_http_request_duration_seconds_sum{')) pullS += n;
  }
  return {
    server_cpu_ms: Math.round((cpu.user + cpu.system) / 1000),
    db_cpu_ms: postmaster === null ? null : Math.round(processTreeCpuMs(postmaster)),
    pulls,
    pull_handling_ms: Math.round(pullS * 1000),
  };
}

if (process.env.BENCH_SYNC_ROLE === 'server') await serve();

// ---------------------------------------------------------------- workstation (this process) ----

/**
 * The server's database: `--db pglite` the embedded development database; otherwise the
 * PostgreSQL of TEST_DATABASE_URL / DATABASE_URL, or else a throwaway PostgreSQL cluster with
 * production settings (fsync on) started for the run — PostgreSQL is what production runs.
 */
async function serverDatabase(args: string[]): Promise<{ env: Record<string, string>; stop(): Promise<void> }> {
  const none = { env: {}, stop: async () => undefined };
  const i = args.indexOf('--db');
  const wanted = i >= 0 ? args[i + 1] : 'postgres';
  if (wanted !== 'postgres' && wanted !== 'pglite') throw new Error('--db expects postgres or pglite');
  if (wanted === 'pglite') return { env: { TEST_DATABASE_URL: '', DATABASE_URL: '' }, stop: none.stop };
  if (process.env.TEST_DATABASE_URL || process.env.DATABASE_URL) return none;
  try {
    const pg = await startPostgres({ durable: true });
    return { env: { DATABASE_URL: pg.url, BENCH_PG_FRESH: '1' }, stop: () => pg.stop() };
  } catch (e) {
    console.error(`PostgreSQL kunde inte startas (${(e as Error).message.split('\n')[0]}); bänken kör mot PGlite.`);
    return none;
  }
}

/** This machine's PostgreSQL processes (by name: the bench's own cluster, or the one of DATABASE_URL). */
function postgresPids(): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'postgres';
      } catch {
        return false;
      }
    })
    .map(Number);
}

export async function run(args: string[]): Promise<void> {
  const wanted = placementArg(args);
  const database = await serverDatabase(args);
  try {
    await measure(args, database.env, (serverPid, workstationPid) => place(wanted, [serverPid, ...postgresPids(), process.pid], workstationPid));
  } finally {
    await database.stop();
  }
}

/**
 * The workstation side as the Electron main process runs: one bundle (esbuild, with the options and
 * external native and server modules of scripts/build-electron.ts's main bundle), started by plain
 * Node without a TypeScript loader; the store and pull workers are the Electron build's.
 */
async function buildWorkstation(): Promise<{ entry: string; storeWorker: string; pullWorker: string }> {
  const { storeWorker, pullWorker } = await buildElectron();
  const entry = path.join(projectRoot, 'dist', 'bench', 'sync-workstation.cjs');
  await build({
    ...common,
    absWorkingDir: projectRoot,
    entryPoints: ['bench/sync-workstation.ts'],
    outfile: entry,
    external: appPackages,
    // The workers are passed in bundled; the import.meta.url that finds them from source is unused.
    logOverride: { 'empty-import-meta': 'silent' },
  });
  return { entry, storeWorker, pullWorker };
}

/** JSON lines from a child's stdout, one awaited at a time; `other` gets the lines nobody awaits. */
function jsonLines(stream: NodeJS.ReadableStream, other: (msg: Record<string, unknown>) => void = () => undefined) {
  const waiting: ((msg: Record<string, unknown>) => void)[] = [];
  createInterface({ input: stream }).on('line', (l) => {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(l) as Record<string, unknown>;
    } catch {
      return; // not ours
    }
    if ('bench' in msg) console.log(l);
    else (waiting.shift() ?? other)(msg);
  });
  return () => new Promise<Record<string, unknown>>((resolve) => waiting.push(resolve));
}

async function measure(args: string[], databaseEnv: Record<string, string>, placeCores: (serverPid: number, workstationPid: number) => Placement): Promise<void> {
  const entries = arg(args, 'entries', 25_000);
  const notes = arg(args, 'notes', 25_000);
  const pullLimit = arg(args, 'pull-limit', 5000);
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-sync-'));
  const workstationBuild = buildWorkstation();
  // --profile DIR: V8 CPU profiles of both sides (every thread) into DIR, for `node --cpu-prof`'s readers.
  const profileAt = args.indexOf('--profile');
  const profileDir = profileAt >= 0 ? path.resolve(args[profileAt + 1] ?? 'profiles') : null;
  const profile = (side: string) => (profileDir ? ['--cpu-prof', '--cpu-prof-dir', path.join(profileDir, side)] : []);
  const server = spawn(process.execPath, [...profile('server'), '--import', 'tsx', import.meta.filename], {
    env: { ...process.env, ...databaseEnv, BENCH_SYNC_ROLE: 'server', BENCH_DIR: dir, BENCH_ENTRIES: String(entries), BENCH_NOTES: String(notes) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const fromServer = jsonLines(server.stdout!);
  const ready = (await fromServer()) as { url: string; cardFile: string; unitId: string; seedS: number; db: string };
  report(BENCH, 'server_seed_s', ready.seedS, 's', { clients: 200, journal_entries: entries, day_notes: notes, db: ready.db });

  const { entry, storeWorker, pullWorker } = await workstationBuild;
  const config: WorkstationConfig = {
    url: ready.url,
    cardFile: ready.cardFile,
    unitId: ready.unitId,
    entries,
    notes,
    pullLimit,
    dataDir: path.join(dir, 'ws'),
    storeWorker,
    pullWorker,
    serverPid: server.pid!,
  };
  const workstation = spawn(process.execPath, [...profile('workstation'), entry], {
    env: { ...process.env, NODE_OPTIONS: '', BENCH_SYNC_WORKSTATION: JSON.stringify(config) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => workstation.once('exit', resolve));
  const answer = (msg: unknown) => workstation.stdin!.write(`${JSON.stringify(msg)}\n`);
  const fromWorkstation = jsonLines(workstation.stdout!);
  const serverCommand = (c: string) => {
    const p = fromServer();
    server.stdin!.write(`${c}\n`);
    return p;
  };
  // The workstation says what it needs from the server; it is placed on its core before it logs in.
  const relay = (async () => {
    for (;;) {
      const msg = await Promise.race([fromWorkstation(), exited.then(() => null)]);
      if (!msg) return;
      if (msg.ready) answer({ go: true, cores: placeCores(server.pid!, workstation.pid!) });
      else if (typeof msg.command === 'string') answer(await serverCommand(msg.command));
    }
  })();
  const code = await exited;
  await relay;
  server.stdin!.end();
  await new Promise((r) => server.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
  if (code !== 0) throw new Error(`the workstation side of the benchmark exited with ${code}`);
}
