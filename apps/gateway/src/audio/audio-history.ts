/**
 * The recent audio of one stream, addressed by absolute sample position. Callers say what they no longer
 * need with dropBefore(); the space is reclaimed lazily when the buffer fills, so a steady stream costs
 * one copy per buffer-full instead of one per frame.
 */
export class AudioHistory {
  private buf: Float32Array;
  /** Absolute position of buf[0]. */
  private start = 0;
  private len = 0;
  private keepFrom = 0;

  constructor(initialCapacity = 16384) {
    this.buf = new Float32Array(initialCapacity);
  }

  /** Absolute position one past the newest sample. */
  get endSample(): number {
    return this.start + this.len;
  }

  /** Oldest position still readable. */
  get startSample(): number {
    return Math.max(this.start, this.keepFrom);
  }

  /** Samples held, including ones released but not yet reclaimed (for memory checks). */
  get capacity(): number {
    return this.buf.length;
  }

  append(samples: Float32Array): void {
    if (this.len + samples.length > this.buf.length) {
      const drop = Math.min(this.len, Math.max(0, this.keepFrom - this.start));
      if (drop > 0) {
        this.buf.copyWithin(0, drop, this.len);
        this.start += drop;
        this.len -= drop;
      }
      if (this.len + samples.length > this.buf.length) {
        const grown = new Float32Array(Math.max(this.buf.length * 2, this.len + samples.length));
        grown.set(this.buf.subarray(0, this.len));
        this.buf = grown;
      }
    }
    this.buf.set(samples, this.len);
    this.len += samples.length;
  }

  /** Samples before `position` will not be read again. */
  dropBefore(position: number): void {
    this.keepFrom = Math.max(this.keepFrom, position);
  }

  /** A copy of [from, to); throws if that range is no longer (or not yet) held. */
  copy(from: number, to: number): Float32Array {
    if (from < this.startSample || to > this.endSample || from > to) {
      throw new RangeError(
        `audio [${from}, ${to}) is outside the held range [${this.startSample}, ${this.endSample})`,
      );
    }
    return this.buf.slice(from - this.start, to - this.start);
  }
}
