/**
 * The workstation side of `npm run bench -- sync` (bench/sync.ts): its own process, started by the
 * benchmark from an esbuild bundle of this file, so it runs as the Electron main process does —
 * bundled JavaScript, no TypeScript loader compiling modules, and the bundled store and pull
 * workers. Talks to bench/sync.ts over stdio in JSON lines:
 *   - stdout: report lines (`{"bench":…}`), `{"ready":true}` once the workstation is built, and
 *     commands for the server (`{"command":"stop"|"start"|"count"|"conditions"}`);
 *   - stdin: the answers, in order (`{"go":true,"cores":…}` first, once the cores are placed).
 */
import { cpus } from 'node:os';
import { createInterface } from 'node:readline';
import type { EventName, EventPayload, SyncStatus } from '#contract';
import { createWorkstation } from '../main/app';
import { cardAccessOver } from '../main/session/card-access';
import { DemoInProcessReader, openCardFile } from '../native/softcard';
import type { Placement } from './placement';
import { calibrationMs, cpuUse, report, stallProbe, storeCalibrationMs } from './report';
import type { ServerStages } from './sync';
import { cacheDuring, fsOf, machineConditions, type DbConditions } from './sync-conditions';

const BENCH = 'sync';

const STAGE_WHAT: Record<string, string> = {
  wait: "waiting for a page's bytes: the server's work and the network, not overlapped with the store's",
  read: 'parsing and checking pages in the store worker',
  apply: "writing pages' rows in the store worker",
  finish: 'retention and the last commit',
};

/** What bench/sync.ts hands this process (env BENCH_SYNC_WORKSTATION, JSON). */
export interface WorkstationConfig {
  url: string;
  cardFile: string;
  unitId: string;
  entries: number;
  notes: number;
  pullLimit: number;
  dataDir: string;
  storeWorker: string;
  pullWorker: string;
  serverPid: number;
}

async function main(): Promise<void> {
  const cfg = JSON.parse(process.env.BENCH_SYNC_WORKSTATION ?? '') as WorkstationConfig;
  const answers: ((msg: Record<string, unknown>) => void)[] = [];
  createInterface({ input: process.stdin }).on('line', (l) => answers.shift()?.(JSON.parse(l) as Record<string, unknown>));
  const ask = (msg: Record<string, unknown>) => {
    const answered = new Promise<Record<string, unknown>>((resolve) => answers.push(resolve));
    process.stdout.write(`${JSON.stringify(msg)}\n`);
    return answered;
  };

  // The card is in the reader before the PIN is typed, as at a real workstation: loading the card
  // file (the DEMO reader's stand-in for the card's own chip) is not the workstation's work.
  const reader = new DemoInProcessReader('Bänkläsare');
  reader.insert(await openCardFile(cfg.cardFile));
  const seen: { name: EventName; payload: EventPayload<EventName>; at: number }[] = [];
  // Where the first sync's time went, as the main thread waits for each page (SyncEngine's pullStage).
  const stages = new Map<string, { ms: number; pages: number; changes: number }>();
  let recordStages = false;
  const pullStage = (stage: string, ms: number, changes: number) => {
    if (!recordStages) return;
    const s = stages.get(stage) ?? stages.set(stage, { ms: 0, pages: 0, changes: 0 }).get(stage)!;
    s.ms += ms;
    s.pages++;
    s.changes += changes;
  };
  const ws = await createWorkstation({
    storeWorker: cfg.storeWorker,
    pullWorker: cfg.pullWorker,
    prestartWorkers: true,
    host: 'browser',
    serverUrl: cfg.url,
    dataDir: cfg.dataDir,
    card: cardAccessOver(reader),
    workstationName: 'bench',
    // Long retry waits: nothing may retry behind the measurement's back.
    sync: { pullLimit: cfg.pullLimit, pullStage, backoff: { baseMs: 60_000, capMs: 60_000 }, events: { backoff: { baseMs: 60_000, capMs: 60_000 } } },
  });
  ws.onEvent((name, payload) => seen.push({ name, payload, at: performance.now() }));
  const call = async <T>(method: string, input: unknown = {}): Promise<T> => {
    const r = await ws.dispatch(method, input);
    if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
    return r.value as T;
  };
  const { cores } = (await ask({ ready: true })) as { cores: Placement };
  // What could differ from another machine (bench/sync-conditions.ts): read before the measurement.
  const dbBefore = (await ask({ command: 'conditions' })) as unknown as DbConditions & { cluster_created_for_run: boolean };
  const machine = machineConditions();
  // The app has been up a while when someone has read the PIN prompt and typed six digits: the
  // spare workers it boots at start (prestartWorkers) are ready by then.
  await new Promise((r) => setTimeout(r, 1000));

  // ---- full sync from an empty store ----
  // The time is PIN → store filled. The stall is measured twice: during the login call (PIN,
  // card, certificate, the first requests) and during the sync that follows it, which the goal
  // is about; on Linux each with how much of the worst stall the main thread was running (its
  // own work, GC included) and how much it waited for a CPU.
  const cpu = cpuUse({ [process.pid]: 'workstation', [cfg.serverPid]: 'server' });
  const serverBefore = (await ask({ command: 'stages' })) as unknown as ServerStages;
  const wsCpuBefore = process.cpuUsage();
  recordStages = true;
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
  recordStages = false;
  const wsCpu = process.cpuUsage(wsCpuBefore);
  const serverAfter = (await ask({ command: 'stages' })) as unknown as ServerStages;
  const clients = await call<{ id: string }[]>('clients.list', { unitId: cfg.unitId, limit: 500 });
  if (clients.length !== 200) throw new Error(`expected 200 clients in the store, found ${clients.length}`);
  const syncS = (tSynced - t0) / 1000;
  const calibration = calibrationMs();
  report(BENCH, 'sync_from_empty_s', syncS, 's', {
    goal_s: 1.5,
    cores,
    records: 200 + cfg.entries + cfg.notes,
    pull_limit: cfg.pullLimit,
    login_ms: Math.round(tLogin - t0),
    calibration_ms: Math.round(calibration * 10) / 10,
    met: syncS < 1.5,
  });
  // Where the time and the CPU went (these do not depend on the machine's load as the wall clock does).
  for (const [stage, s] of stages) {
    report(BENCH, `sync_from_empty_stage_${stage}_ms`, Math.round(s.ms), 'ms', { pages: s.pages, changes: s.changes, what: STAGE_WHAT[stage] });
  }
  const workstationCpuMs = Math.round((wsCpu.user + wsCpu.system) / 1000);
  const serverCpuMs = serverAfter.server_cpu_ms - serverBefore.server_cpu_ms;
  const dbCpuMs = serverAfter.db_cpu_ms === null || serverBefore.db_cpu_ms === null ? null : serverAfter.db_cpu_ms - serverBefore.db_cpu_ms;
  const pulls = serverAfter.pulls - serverBefore.pulls;
  report(BENCH, 'sync_from_empty_cpu_ms', workstationCpuMs + serverCpuMs + (dbCpuMs ?? 0), 'ms', {
    during: 'login and sync',
    workstation_ms: workstationCpuMs,
    server_ms: serverCpuMs,
    db_ms: dbCpuMs,
    what: 'CPU of the workstation process (all threads), the server process and the database cluster, from their own counters',
  });
  report(BENCH, 'sync_from_empty_server_pull_ms', serverAfter.pull_handling_ms - serverBefore.pull_handling_ms, 'ms', {
    pulls,
    server_cpu_per_pull_ms: pulls > 0 ? Math.round(serverCpuMs / pulls) : null,
    db_cpu_per_pull_ms: pulls > 0 && dbCpuMs !== null ? Math.round(dbCpuMs / pulls) : null,
    what: 'the pull requests\' summed handling time in the server (its /metrics), and CPU per pull',
  });
  report(BENCH, 'main_loop_max_stall_ms', stall, 'ms', { goal_ms: 16, during: 'sync', cores, p99_ms: p99Ms, ...cpuSplit, met: stall < 16 });
  const { maxMs: loginMax, p99Ms: loginP99, ...loginSplit } = loginStall;
  report(BENCH, 'login_main_loop_max_stall_ms', loginMax, 'ms', { during: 'session.login', cores, p99_ms: loginP99, ...loginSplit });
  if (cpuSpent.totalMs > 0) {
    report(BENCH, 'sync_cpu_ms', cpuSpent.totalMs, 'ms', { during: 'login and sync', cores, machine_cores: cpus().length, steal_pct: cpuSpent.stealPct, threads: cpuSpent.threads });
  }
  report(BENCH, 'machine_calibration_ms', calibration, 'ms', { what: 'SHA-256 of 64 MiB on one thread of the workstation process, best of 3: lower is a faster machine right now' });
  report(BENCH, 'machine_calibration_store_ms', storeCalibrationMs(), 'ms', { what: '20,000 rows into a new SQLCipher file (UNIQUE UUID index, json_each), fsync off, one thread of the workstation process, best of 3: lower is a faster machine right now' });
  const dbAfter = (await ask({ command: 'conditions' })) as unknown as DbConditions;
  const cache = cacheDuring(dbBefore.stats, dbAfter.stats);
  if (cache) report(BENCH, 'server_db_cache_hit_pct', Number(cache.hit_pct), '%', { during: 'login and sync', db: dbBefore.kind, ...cache });
  report(BENCH, 'server_db_uptime_s', dbBefore.uptime_s ?? 0, 's', {
    db: dbBefore.kind,
    cluster_created_for_run: dbBefore.cluster_created_for_run,
    earlier_runs_on_database: dbBefore.earlier_runs,
    size_mb: dbBefore.size_mb,
    data_fs: dbBefore.data_fs,
    settings: dbBefore.settings,
  });
  report(BENCH, 'machine_uptime_s', machine.uptime_s ?? 0, 's', { mem_available_mb: machine.mem_available_mb, page_cache_mb: machine.page_cache_mb, store_fs: fsOf(cfg.dataDir) });

  // ---- 1,000 writes queued offline, then pushed ----
  await ask({ command: 'stop' });
  const N = 1000;
  for (let i = 0; i < N; i++) await call('daynotes.create', { unitId: cfg.unitId, clientId: clients[i % clients.length]!.id, text: `Köad anteckning ${i}` });
  while ((await call<SyncStatus>('sync.status')).connection !== 'offline') await new Promise((r) => setTimeout(r, 5));
  const queued = (await call<SyncStatus>('sync.status')).pending;
  if (queued !== N) throw new Error(`expected ${N} queued writes, found ${queued}`);
  await ask({ command: 'start' });
  const tp0 = performance.now();
  const done = call<SyncStatus>('sync.now');
  let tPushed = 0;
  while (!tPushed) {
    if ((await call<SyncStatus>('sync.status')).pending === 0) tPushed = performance.now();
    else await new Promise((r) => setTimeout(r, 1));
  }
  const after = await done;
  const tRun = performance.now();
  const onServer = (await ask({ command: 'count' })) as { notes: number };
  report(BENCH, 'push_1000_writes_s', (tPushed - tp0) / 1000, 's', { goal_s: 1, batches: Math.ceil(N / 200), met: (tPushed - tp0) / 1000 < 1 });
  report(BENCH, 'push_and_pull_back_1000_writes_s', (tRun - tp0) / 1000, 's', { pending_after: after.pending, server_notes: onServer.notes });
  await ws.close();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
