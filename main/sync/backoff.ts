/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * the n-th consecutive failure waits a random time in [base·2ⁿ⁻¹/2, base·2ⁿ⁻¹], capped. A success
 * resets it. Jitter keeps 500 workstations from returning to a restarted server in lockstep.
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
    return Math.round(ceiling / 2 + (ceiling / 2) * r);
  }

  reset(): void {
    this.failures = 0;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }
}
