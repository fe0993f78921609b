import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
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
