/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * the n-th consecutive failure waits a random time in [0, min(cap, base·2ⁿ⁻¹)]. A success resets
 * it. Full jitter spreads 500 workstations returning to a restarted server over the whole window
 * (equal jitter would still bunch them in its upper half).
 */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  random?: () => number;
}

export class Backoff {
  private failures = 0;
  constructor(private readonly opts: BackoffOptions) {}

  /** A failure: how long to wait before the next attempt. */
  fail(): number {
    this.failures++;
    const ceiling = Math.min(this.opts.capMs, this.opts.baseMs * 2 ** Math.min(this.failures - 1, 30));
    const r = (this.opts.random ?? Math.random)();
    return Math.round(ceiling * r);
  }

  reset(): void {
    this.failures = 0;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }
}
