export interface LagSettings {
  /** Lag above this is reported with an Event LAG. */
  warnMs: number;
  /** While lagging, at most one Event LAG per this interval. */
  eventIntervalMs: number;
}

/**
 * How far a stream's results trail its audio: `lag = audio received − audio covered`, in milliseconds of
 * stream audio (session time).
 *
 * "Covered" advances to the end of the audio each ASR reply covers (an interim decode covers the open
 * segment up to where it was cut for the job; a final covers its segment). Audio that needs no decoding
 * counts as covered at once: while the stream has no decode outstanding (no final pending, no interim in
 * flight, and no open segment waiting for an interim decode), covered follows received. So silence never
 * reads as lag, and for a stream without interim results the lag is the time its finals take.
 *
 * The monitor decides when an Event LAG is due (over the threshold, rate-limited by the injected clock);
 * the session sends it.
 */
export class LagMonitor {
  private covered = 0;
  private received = 0;
  private lastEventAt = -Infinity;

  constructor(
    private readonly settings: () => LagSettings,
    private readonly now: () => number,
  ) {}

  get lagMs(): number {
    return Math.max(0, this.received - this.covered);
  }

  /**
   * Audio arrived (receivedMs: session time of its end). `idle` = nothing of the stream is waiting to be
   * decoded. Returns the lag to report in an Event LAG, or undefined.
   */
  onAudio(receivedMs: number, idle: boolean): number | undefined {
    this.received = Math.max(this.received, receivedMs);
    if (idle) this.covered = this.received;
    return this.check();
  }

  /** An ASR reply came back covering audio up to coveredMs. Returns the lag at that moment (for metrics). */
  onDecoded(coveredMs: number): number {
    this.covered = Math.max(this.covered, Math.min(coveredMs, this.received));
    return this.lagMs;
  }

  /** Nothing is outstanding any more: the audio received so far is covered. */
  onIdle(): void {
    this.covered = this.received;
  }

  /** The lag, when an Event LAG is due now. */
  check(): number | undefined {
    const lag = this.lagMs;
    const s = this.settings();
    if (lag <= s.warnMs) return undefined;
    const now = this.now();
    if (now - this.lastEventAt < s.eventIntervalMs) return undefined;
    this.lastEventAt = now;
    return lag;
  }
}
