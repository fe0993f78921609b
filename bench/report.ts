import { readFileSync } from 'node:fs';
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
