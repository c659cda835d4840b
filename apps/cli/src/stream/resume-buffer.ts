/**
 * Audio sent since the last final transcript, kept so that after UNAVAILABLE (a draining gateway) the
 * stream can resume with `resume_from_ms` = the end of that final and send the unfinished speech again.
 * Bounded: beyond maxBytes the oldest audio is given up (it is then not transcribed).
 */
export class ResumeBuffer {
  private chunks: { start: number; data: Buffer }[] = [];
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** `start` = absolute byte position of the chunk in the session's audio. */
  add(start: number, data: Buffer): void {
    this.chunks.push({ start, data });
    this.bytes += data.length;
    while (this.bytes > this.maxBytes && this.chunks.length > 1)
      this.bytes -= this.chunks.shift()!.data.length;
  }

  /** Forgets audio before `position` (it is covered by a final). */
  trimBefore(position: number): void {
    while (this.chunks.length && this.chunks[0].start + this.chunks[0].data.length <= position) {
      this.bytes -= this.chunks.shift()!.data.length;
    }
  }

  /** Where a resume can start: `wanted` if still held, else the oldest position held. */
  resumePosition(wanted: number): number {
    const first = this.chunks[0];
    return first && first.start > wanted ? first.start : wanted;
  }

  /** Audio from `position` on, in chunks. */
  from(position: number): Buffer[] {
    return this.chunks
      .filter((c) => c.start + c.data.length > position)
      .map((c) => (c.start >= position ? c.data : c.data.subarray(position - c.start)));
  }
}
