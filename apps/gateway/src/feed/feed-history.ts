import { isText, type FeedEvent, type FeedText } from './feed-event';

/**
 * The catch-up window of one session: the last `maxFinals` final results (all languages together) and
 * the newest interim of each (segment, type, language) that has no final yet. Older interims of the same
 * line are superseded and dropped, so a viewer that reconnects after a minute gets what is on screen,
 * not every intermediate revision. Signals (speech start/end) are live-only; `started`/`ended` are kept
 * as the last lifecycle marker.
 */
export class FeedHistory {
  private finals: FeedText[] = [];
  private readonly interims = new Map<string, FeedText>();
  private lifecycle?: FeedEvent;

  constructor(private readonly maxFinals: number) {}

  add(event: FeedEvent): void {
    if (event.type === 'started' || event.type === 'ended') {
      this.lifecycle = event;
      return;
    }
    if (!isText(event)) return;
    const key = `${event.type}|${event.segmentId}|${event.lang}`;
    if (event.isFinal) {
      // The final replaces the line's interims; a transcript's interims may carry another (re-detected)
      // language than its final, so for transcripts every interim of the segment goes.
      for (const [k, interim] of this.interims) {
        const sameLine = event.type === 'transcript' ? interim.type === 'transcript' : k === key;
        if (sameLine && interim.segmentId === event.segmentId) this.interims.delete(k);
      }
      this.finals.push(event);
      if (this.finals.length > this.maxFinals) this.finals = this.finals.slice(-this.maxFinals);
    } else {
      this.interims.set(key, event);
    }
  }

  /** Events with a sequence number above `afterSeq`, in sequence order. */
  since(afterSeq: number): FeedEvent[] {
    const all: FeedEvent[] = [...this.finals, ...this.interims.values()];
    if (this.lifecycle) all.push(this.lifecycle);
    return all.filter((e) => e.seq > afterSeq).sort((a, b) => a.seq - b.seq);
  }
}
