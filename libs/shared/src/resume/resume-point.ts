import type { StreamResponse__Output } from '../generated/livetranslate/v1/StreamResponse';

interface OpenSegment {
  id: string;
  endMs: number;
  /** Target languages whose final translation is still missing. */
  missing: number;
  seen: Set<string>;
}

/**
 * A client's resume point (docs/protocol.md, "Resuming"): the end of the last segment whose final
 * transcript AND every final translation arrived, counting only segments all of whose predecessors are
 * complete too. Resuming there resends exactly the audio whose results are not all in: nothing lost
 * (a segment with a transcript but a missing translation is made again) and, with a draining gateway
 * that finishes its in-flight segments, nothing twice.
 */
export class ResumePoint {
  private readonly open: OpenSegment[] = [];
  private readonly byId = new Map<string, OpenSegment>();
  private position: number;

  /** `targets`: how many target languages the stream asked for; `fromMs`: the call's resume_from_ms. */
  constructor(
    private readonly targets: number,
    fromMs = 0,
  ) {
    this.position = fromMs;
  }

  /** Milliseconds of session audio to resume from (resume_from_ms of the next call). */
  get ms(): number {
    return this.position;
  }

  /** Segments with a final transcript still waiting for translations. */
  get pending(): number {
    return this.open.length;
  }

  observe(r: StreamResponse__Output): void {
    if (r.transcript?.isFinal) {
      const t = r.transcript;
      const segment: OpenSegment = {
        id: t.segmentId,
        endMs: Number(t.endMs),
        // An empty final (silence, dropped hallucination) has no translations to wait for.
        missing: t.text.trim() === '' ? 0 : this.targets,
        seen: new Set(),
      };
      this.open.push(segment);
      this.byId.set(segment.id, segment);
    } else if (r.translation?.isFinal) {
      const segment = this.byId.get(r.translation.segmentId);
      if (segment && !segment.seen.has(r.translation.targetLanguage)) {
        segment.seen.add(r.translation.targetLanguage);
        segment.missing--;
      }
    } else return;
    while (this.open.length && this.open[0].missing <= 0) {
      const done = this.open.shift()!;
      this.byId.delete(done.id);
      this.position = Math.max(this.position, done.endMs);
    }
  }
}
