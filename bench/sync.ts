/**
 * Sync of one unit of 200 clients and ~50k records (25k journal entries, 25k day notes)
 * (`npm run bench -- sync [--entries N] [--notes N] [--pull-limit N] [--db postgres|pglite]`):
 *   - sync_from_empty_s: PIN → session → the encrypted store filled (goal < 3 s),
 *   - push_1000_writes_s: 1,000 writes queued offline, pushed when the server is back (goal < 1 s),
 *   - main_loop_max_stall_ms: the workstation's longest event-loop stall during the full sync (goal < 16 ms).
 * The server runs in a child process, as in production it runs elsewhere, on PostgreSQL (see
 * serverDatabase) or with `--db pglite` on the embedded development database. It shares this
 * machine's cores, though, so the stall figure also says how long the main thread waited for one.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { EventName, EventPayload, SyncStatus } from '../contract';
import { createWorkstation } from '../main/app';
import { cardAccessOver } from '../main/session/card-access';
import { DemoInProcessReader, openCardFile } from '../native/softcard';
import { buildElectron } from '../scripts/build-electron';
import { writeCardFile } from '../tools/card';
import { generateTestPki, issuePersonCard } from '../tools/pki';
import type { BenchServer } from './server';
import { startPostgres } from '../test/support/postgres-setup';
import { report, stallProbe, arg, cpuUse } from './report';

const BENCH = 'sync';
const SARA = 'SE2321000131-P000000000103';


// ---------------------------------------------------------------- server (child process) ----

async function serve(): Promise<void> {
  // Imported here, in the server's process only: the workstation's process holds what it would in production.
  const { startBenchServer } = await import('./server');
  const { migrate, openDb } = await import('../server/db');
  const { seedDemoData } = await import('../server/seed/seed');
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
      [`Hemtjänst Bänken ${Date.now()}`],
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
    return { env: { DATABASE_URL: pg.url }, stop: () => pg.stop() };
  } catch (e) {
    console.error(`PostgreSQL kunde inte startas (${(e as Error).message.split('\n')[0]}); bänken kör mot PGlite.`);
    return none;
  }
}

export async function run(args: string[]): Promise<void> {
  const database = await serverDatabase(args);
  try {
    await measure(args, database.env);
  } finally {
    await database.stop();
  }
}

async function measure(args: string[], databaseEnv: Record<string, string>): Promise<void> {
  const entries = arg(args, 'entries', 25_000);
  const notes = arg(args, 'notes', 25_000);
  const pullLimit = arg(args, 'pull-limit', 2000);
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-sync-'));
  const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename], {
    env: { ...process.env, ...databaseEnv, BENCH_SYNC_ROLE: 'server', BENCH_DIR: dir, BENCH_ENTRIES: String(entries), BENCH_NOTES: String(notes) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: ((msg: Record<string, unknown>) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => {
    try {
      lines.shift()?.(JSON.parse(l));
    } catch {
      // not ours
    }
  });
  const next = () => new Promise<Record<string, unknown>>((resolve) => lines.push(resolve));
  const command = (c: string) => {
    const p = next();
    child.stdin!.write(`${c}\n`);
    return p;
  };
  const ready = (await next()) as { url: string; cardFile: string; unitId: string; seedS: number; db: string };
  report(BENCH, 'server_seed_s', ready.seedS, 's', { clients: 200, journal_entries: entries, day_notes: notes, db: ready.db });

  // The store worker as the Electron build ships it (one bundled file), not compiled from source
  // by tsx at start-up as in development.
  const { storeWorker } = await buildElectron();
  // The card is in the reader before the PIN is typed, as at a real workstation: loading the card
  // file (the DEMO reader's stand-in for the card's own chip) is not the workstation's work.
  const reader = new DemoInProcessReader('Bänkläsare');
  reader.insert(await openCardFile(ready.cardFile));
  const seen: { name: EventName; payload: EventPayload<EventName>; at: number }[] = [];
  const ws = await createWorkstation({
    storeWorker,
    host: 'browser',
    serverUrl: ready.url,
    dataDir: path.join(dir, 'ws'),
    card: cardAccessOver(reader),
    workstationName: 'bench',
    // Long retry waits: nothing may retry behind the measurement's back.
    sync: { pullLimit, backoff: { baseMs: 60_000, capMs: 60_000 }, events: { backoff: { baseMs: 60_000, capMs: 60_000 } } },
  });
  ws.onEvent((name, payload) => seen.push({ name, payload, at: performance.now() }));
  const call = async <T>(method: string, input: unknown = {}): Promise<T> => {
    const r = await ws.dispatch(method, input);
    if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
    return r.value as T;
  };

  // ---- full sync from an empty store ----
  // The time is PIN → store filled. The stall is measured twice: during the login call (PIN,
  // card, certificate, the first requests) and during the sync that follows it, which the goal
  // is about; on Linux each with how much of the worst stall the main thread was running (its
  // own work, GC included) and how much it waited for a CPU that the co-located server, database
  // and store worker held.
  const cpu = cpuUse({ [process.pid]: 'workstation', [child.pid!]: 'server' });
  const loginProbe = stallProbe();
  const t0 = performance.now();
  await call('session.login', { pin: '123456' });
  const tLogin = performance.now();
  const loginStall = loginProbe.stop();
  const probe = stallProbe();
  const firstOnline = () => seen.find((e) => e.name === 'sync.status' && (e.payload as SyncStatus).connection === 'online');
  while (!firstOnline()) await new Promise((r) => setTimeout(r, 2));
  const tSynced = firstOnline()!.at;
  const { maxMs: stall, p99Ms, ...cpuSplit } = probe.stop();
  const cpuSpent = cpu.stop();
  const clients = await call<unknown[]>('clients.list', { unitId: ready.unitId, limit: 500 });
  if (clients.length !== 200) throw new Error(`expected 200 clients in the store, found ${clients.length}`);
  report(BENCH, 'sync_from_empty_s', (tSynced - t0) / 1000, 's', { goal_s: 3, records: 200 + entries + notes, pull_limit: pullLimit, login_ms: Math.round(tLogin - t0), met: (tSynced - t0) / 1000 < 3 });
  report(BENCH, 'main_loop_max_stall_ms', stall, 'ms', { goal_ms: 16, during: 'sync', p99_ms: p99Ms, ...cpuSplit, met: stall < 16 });
  const { maxMs: loginMax, p99Ms: loginP99, ...loginSplit } = loginStall;
  report(BENCH, 'login_main_loop_max_stall_ms', loginMax, 'ms', { during: 'session.login', p99_ms: loginP99, ...loginSplit });
  if (cpuSpent.totalMs > 0) report(BENCH, 'sync_cpu_ms', cpuSpent.totalMs, 'ms', { during: 'login and sync', cores: availableParallelism(), threads: cpuSpent.threads });

  // ---- 1,000 writes queued offline, then pushed ----
  await command('stop');
  const N = 1000;
  const ids = (clients as { id: string }[]).map((c) => c.id);
  for (let i = 0; i < N; i++) await call('notes.create', { unitId: ready.unitId, clientId: ids[i % ids.length], text: `Köad anteckning ${i}` });
  while ((await call<SyncStatus>('sync.status')).connection !== 'offline') await new Promise((r) => setTimeout(r, 5));
  const queued = (await call<SyncStatus>('sync.status')).pending;
  if (queued !== N) throw new Error(`expected ${N} queued writes, found ${queued}`);
  await command('start');
  const tp0 = performance.now();
  const done = call<SyncStatus>('sync.now');
  let tPushed = 0;
  while (!tPushed) {
    if ((await call<SyncStatus>('sync.status')).pending === 0) tPushed = performance.now();
    else await new Promise((r) => setTimeout(r, 1));
  }
  const after = await done;
  const tRun = performance.now();
  const onServer = (await command('count')) as { notes: number };
  report(BENCH, 'push_1000_writes_s', (tPushed - tp0) / 1000, 's', { goal_s: 1, batches: Math.ceil(N / 200), met: (tPushed - tp0) / 1000 < 1 });
  report(BENCH, 'push_and_pull_back_1000_writes_s', (tRun - tp0) / 1000, 's', { pending_after: after.pending, server_notes: onServer.notes });

  await ws.close();
  child.stdin!.end();
  await new Promise((r) => child.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
}
