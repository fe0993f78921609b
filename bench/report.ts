import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Database from 'better-sqlite3-multiple-ciphers';
/** One JSON object per line, as every benchmark prints its figures. */
export function report(bench: string, metric: string, value: number, unit: string, extra: Record<string, unknown> = {}): void {
  console.log(JSON.stringify({ bench, metric, value: Math.round(value * 100) / 100, unit, ...extra }));
}

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] ?? NaN;
}

/** The main thread's time on a CPU and waiting for one (ns), from Linux's schedstat; null elsewhere. */
function schedstat(): [number, number] | null {
  try {
    const [onCpu, waiting] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ').map(Number);
    return onCpu === undefined || waiting === undefined ? null : [onCpu, waiting];
  } catch {
    return null;
  }
}

/**
 * Watches the main thread's event loop: perf_hooks' delay histogram plus a 5 ms interval whose
 * lateness is a stall. `stop()` gives the longest stall and the p99 delay, in ms; on Linux also
 * how much of the longest stall the thread spent running (its own work, GC included) and how
 * much waiting for a CPU (other threads and processes had both cores), and the most running time
 * inside any one stall.
 */
export function stallProbe(): { stop(): { maxMs: number; p99Ms: number; worstOnCpuMs?: number; worstWaitingMs?: number; maxOnCpuMs?: number } } {
  const h = monitorEventLoopDelay({ resolution: 1 });
  let maxGap = 0;
  let worst: { onCpu: number; waiting: number } | null = null;
  let maxOnCpu = 0;
  let last = performance.now();
  let lastSched = schedstat();
  const probe = setInterval(() => {
    const now = performance.now();
    const gap = now - last - 5;
    const sched = schedstat();
    if (sched && lastSched) {
      const onCpu = (sched[0] - lastSched[0]) / 1e6;
      const waiting = (sched[1] - lastSched[1]) / 1e6;
      if (gap > 5) maxOnCpu = Math.max(maxOnCpu, onCpu);
      if (gap > maxGap) worst = { onCpu, waiting };
    }
    maxGap = Math.max(maxGap, gap);
    last = now;
    lastSched = sched;
  }, 5);
  h.enable();
  return {
    stop() {
      h.disable();
      clearInterval(probe);
      const round = (ms: number) => Math.round(ms * 100) / 100;
      return {
        maxMs: Math.max(h.max / 1e6, maxGap),
        p99Ms: Math.round(h.percentile(99) / 1e4) / 100,
        ...(worst ? { worstOnCpuMs: round(worst.onCpu), worstWaitingMs: round(worst.waiting), maxOnCpuMs: round(maxOnCpu) } : {}),
      };
    },
  };
}

/** `--name 123` from the benchmark's arguments, or the default. */
export function arg(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : dflt;
  if (!Number.isFinite(v) || (i >= 0 && v < 0)) throw new Error(`--${name} expects a number`);
  return Math.floor(v);
}

/** Every thread's time on a CPU so far (ns), from Linux's /proc; empty elsewhere. */
function threadCpu(): Map<string, { label: string; ns: number }> {
  const out = new Map<string, { label: string; ns: number }>();
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return out;
  }
  for (const pid of pids) {
    let tids: string[] = [];
    let proc = '';
    try {
      tids = readdirSync(`/proc/${pid}/task`);
      proc = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
        const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
        out.set(`${pid}/${tid}`, { label: tid === pid ? `${proc} ${pid}` : `${proc} ${pid} thread ${tid} (${comm})`, ns });
      } catch {
        // gone
      }
    }
  }
  return out;
}

/**
 * Where the machine's CPU went between start and stop, per thread (Linux only): which of the
 * co-located workstation, server and database threads used the two cores during a measurement.
 * `names` labels known pids ("workstation", "server"); a process's main thread has the pid as its id.
 */
export function cpuUse(names: Record<number, string> = {}): { stop(): { totalMs: number; stealPct: number | null; threads: { thread: string; ms: number }[] } } {
  const before = threadCpu();
  const stealBefore = steal();
  return {
    stop() {
      const after = threadCpu();
      const stealAfter = steal();
      const threads: { thread: string; ms: number }[] = [];
      let total = 0;
      for (const [key, { label, ns }] of after) {
        const ms = (ns - (before.get(key)?.ns ?? 0)) / 1e6;
        if (ms <= 0) continue;
        total += ms;
        const pid = Number(key.split('/')[0]);
        threads.push({ thread: names[pid] ? `${names[pid]}: ${label}` : label, ms: Math.round(ms) });
      }
      threads.sort((a, b) => b.ms - a.ms);
      const stealPct =
        stealBefore && stealAfter && stealAfter.total > stealBefore.total
          ? Math.round((1000 * (stealAfter.steal - stealBefore.steal)) / (stealAfter.total - stealBefore.total)) / 10
          : null;
      return { totalMs: Math.round(total), stealPct, threads: threads.slice(0, 12) };
    },
  };
}

/** The machine's CPU time stolen by the hypervisor and in all, in ticks (/proc/stat); null elsewhere. */
function steal(): { steal: number; total: number } | null {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return { steal: cpu[7] ?? 0, total: cpu.reduce((a, b) => a + b, 0) };
  } catch {
    return null;
  }
}

/**
 * How fast this machine is right now: the ms to SHA-256 64 MiB on one thread, best of three. A
 * virtual machine's speed drifts with its host's load (the same sync measured 2.5 and 3.9 s within
 * an hour here), so each run prints this beside its figures, to compare runs by.
 */
export function calibrationMs(): number {
  const block = Buffer.alloc(1 << 20, 7);
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    const hash = createHash('sha256');
    for (let i = 0; i < 64; i++) hash.update(block);
    hash.digest();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

/**
 * How fast this machine is right now at the store's kind of work: the ms to insert 20,000 rows
 * (a random UUID key, a UNIQUE index, a sentence of Swedish text) from one JSON array into a new
 * SQLCipher file, in one transaction, on one thread, best of three; fsync off, so it is CPU and
 * memory, not the disk. SHA-256 alone missed what moves a first sync: on this machine, at the
 * same SHA-256 figure (40–41 ms), the store worker spent 1.1 s of CPU on the same sync one hour
 * and 1.9 s the next; this figure moves with it (pointer-chasing, allocation, page encryption).
 */
export function storeCalibrationMs(): number {
  const rows = JSON.stringify(Array.from({ length: 20_000 }, (_, i) => [randomUUID(), `Besök ${i}. Hjälp med frukost, medicin och en kort promenad; brukaren var nöjd.`]));
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-calibration-'));
  let best = Infinity;
  try {
    for (let round = 0; round < 3; round++) {
      const db = new Database(path.join(dir, `${round}.db`));
      try {
        db.pragma(`cipher = 'sqlcipher'`);
        db.pragma('legacy = 4');
        db.key(Buffer.from(`x'${randomBytes(32).toString('hex')}'`));
        db.pragma('synchronous = OFF');
        db.exec('CREATE TABLE t (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, text TEXT NOT NULL)');
        const insert = db.prepare('INSERT INTO t (id, text) SELECT value ->> 0, value ->> 1 FROM json_each(?)');
        const t0 = performance.now();
        db.transaction(() => insert.run(rows))();
        best = Math.min(best, performance.now() - t0);
      } finally {
        db.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return best;
}
