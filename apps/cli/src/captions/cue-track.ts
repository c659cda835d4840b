import { MIN_CUE_MS, normaliseCues, type Cue } from './subtitle-formats';

/** What a caption file must do next: append settled cues, or be rewritten with all of them. */
export type TrackUpdate = { kind: 'append'; cues: Cue[] } | { kind: 'rewrite'; cues: Cue[] };

/** Whether the last cue is shorter than MIN_CUE_MS as received, so its end waits for the next start. */
const stretched = (normalised: Cue, raw: Cue) => raw.endMs - normalised.startMs < MIN_CUE_MS;

const before = (a: Cue, b: Cue) => a.startMs < b.startMs || (a.startMs === b.startMs && a.endMs < b.endMs);

/**
 * The cues of one language in file order, decided incrementally with the same rules as `normaliseCues`
 * (so the file equals what a full rewrite would write). A cue is settled, and can be appended, once its
 * timing can no longer change: a cue shorter than MIN_CUE_MS waits for the next cue (it is stretched into
 * the gap before it) or for the end. A cue that arrives out of order (a late translation) forces a rewrite.
 */
export class CueTrack {
  /** Every cue as received, in order (kept for rewrites). */
  private readonly raw: Cue[] = [];
  /** The last cue written, as written. */
  private lastSettled?: Cue;
  /** Raw cues not written yet (at most the one waiting for its successor). */
  private pending: Cue[] = [];
  private settledCount = 0;

  add(cue: Cue): TrackUpdate | undefined {
    if (!cue.text.trim()) return undefined;
    const last = this.raw[this.raw.length - 1];
    if (last && before(cue, last)) {
      const at = this.raw.findIndex((c) => before(cue, c));
      this.raw.splice(at, 0, cue);
      return this.rewrite();
    }
    this.raw.push(cue);
    this.pending.push(cue);
    return this.settle(false);
  }

  /** End of stream: the cue still waiting is written as it is. */
  finish(): TrackUpdate | undefined {
    return this.settle(true);
  }

  get count(): number {
    return this.settledCount;
  }

  private settle(final: boolean): TrackUpdate | undefined {
    if (this.pending.length === 0) return undefined;
    // normaliseCues on [last written, …pending] gives the pending cues exactly their full-file timings.
    const head = this.lastSettled ? [this.lastSettled] : [];
    const out = normaliseCues([...head, ...this.pending]).slice(head.length);
    const hold = !final && stretched(out[out.length - 1], this.pending[this.pending.length - 1]) ? 1 : 0;
    const settled = out.slice(0, out.length - hold);
    this.pending = this.pending.slice(this.pending.length - hold);
    if (settled.length === 0) return undefined;
    this.lastSettled = settled[settled.length - 1];
    this.settledCount += settled.length;
    return { kind: 'append', cues: settled };
  }

  private rewrite(): TrackUpdate {
    const all = normaliseCues(this.raw);
    const hold = stretched(all[all.length - 1], this.raw[this.raw.length - 1]) ? 1 : 0;
    const settled = all.slice(0, all.length - hold);
    this.pending = hold ? [this.raw[this.raw.length - 1]] : [];
    this.lastSettled = settled[settled.length - 1];
    this.settledCount = settled.length;
    return { kind: 'rewrite', cues: settled };
  }
}
