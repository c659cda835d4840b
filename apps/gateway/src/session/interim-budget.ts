/**
 * Interim decodes in flight on this gateway, all streams together. Interims are a nicety: when many
 * streams talk at once they must not crowd the ASR queue, so past `streaming.max_interim_in_flight` a
 * stream skips its interim decode (its final is never affected). One per gateway, held by SessionService.
 */
export class InterimBudget {
  private inFlight = 0;

  get active(): number {
    return this.inFlight;
  }

  /** Takes one slot if fewer than `limit` are taken; returns whether it did. */
  tryAcquire(limit: number): boolean {
    if (this.inFlight >= limit) return false;
    this.inFlight++;
    return true;
  }

  release(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }
}
