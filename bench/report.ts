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

/**
 * Watches the main thread's event loop: perf_hooks' delay histogram plus a 5 ms interval whose
 * lateness is a stall. `stop()` gives the longest stall and the p99 delay, in ms.
 */
export function stallProbe(): { stop(): { maxMs: number; p99Ms: number } } {
  const h = monitorEventLoopDelay({ resolution: 1 });
  let maxGap = 0;
  let last = performance.now();
  const probe = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last - 5);
    last = now;
  }, 5);
  h.enable();
  return {
    stop() {
      h.disable();
      clearInterval(probe);
      return { maxMs: Math.max(h.max / 1e6, maxGap), p99Ms: Math.round(h.percentile(99) / 1e4) / 100 };
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
