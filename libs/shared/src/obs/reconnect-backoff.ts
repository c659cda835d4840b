/**
 * Exponential backoff with jitter for reconnects: initial, ×2 per failure, capped; reset after a success.
 * Jitter (±20 %) keeps many gateway sessions from hammering one OBS in lockstep after it restarts.
 */
export class ReconnectBackoff {
  private failures = 0;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** Delay before the next attempt, counting this failure. */
  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * 2 ** this.failures);
    this.failures++;
    return Math.round(Math.min(this.maxMs, base * (0.8 + 0.4 * this.random())));
  }

  reset(): void {
    this.failures = 0;
  }

  get attempts(): number {
    return this.failures;
  }
}
