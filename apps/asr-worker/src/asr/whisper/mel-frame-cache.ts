/** What one computation left behind for the next request with the same key. */
export interface MelFrames {
  /** The audio the frames were computed from (a private copy). */
  audio: Float32Array;
  /** log10 mel energies before clamping and scaling, frame-major: [frame][mel] for the audible frames. */
  logFrames: Float64Array;
}

/**
 * Log-mel frames of recent requests by key, least recently used first out, bounded by bytes. An open
 * segment is decoded again every interval as it grows (interim results) and once more as a final: each
 * time, only the frames whose windows reach past the audio seen before need new FFTs.
 */
export class MelFrameCache {
  private readonly entries = new Map<string, MelFrames>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get size(): number {
    return this.entries.size;
  }

  get usedBytes(): number {
    return this.bytes;
  }

  get(key: string): MelFrames | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      // Map keeps insertion order: re-inserting makes this the most recently used.
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, entry: MelFrames): void {
    this.remove(key);
    const size = sizeOf(entry);
    if (size > this.maxBytes) return;
    this.entries.set(key, entry);
    this.bytes += size;
    for (const [oldest] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.remove(oldest);
    }
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= sizeOf(entry);
  }
}

function sizeOf(entry: MelFrames): number {
  return entry.audio.byteLength + entry.logFrames.byteLength;
}
