/**
 * How long a test waits for a state it asserts (a page shown, a sync arrived, a host started)
 * before it fails. A bound on a hang, not a figure: how fast things are is what the benchmarks
 * measure (bench/). Generous, because `npm test` must pass on a busy two-core machine — a new
 * machine's `npm test` beside a soak ran at load 10, where a 15 s bound failed a sync that was
 * merely slow (issue 31 point 6).
 */
export const LIVE_WAIT_MS = 60_000;
