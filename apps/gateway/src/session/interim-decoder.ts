import type { AsrReply } from '@olt/shared';
import type { OpenSegment } from '../audio';
import type { InterimBudget } from './interim-budget';
import { LocalAgreement } from './local-agreement';

/** One interim decode to run: the open segment's audio so far. */
export interface InterimJob {
  segmentId: string;
  revision: number;
  audio: Float32Array;
  startMs: number;
  endMs: number;
}

/** An interim Transcript to send. */
export interface InterimResult {
  segmentId: string;
  revision: number;
  startMs: number;
  /** End of the audio the decode covered. */
  endMs: number;
  text: string;
  stability: number;
  reply: AsrReply;
}

export type InterimSkipReason = 'in_flight' | 'final_pending' | 'lagging' | 'gateway_budget';

export interface InterimDecoderDeps {
  /** Runs the decode (the session adds tenant, language and prompt). */
  decode(job: InterimJob): Promise<AsrReply>;
  /** Gateway-wide cap on interim decodes in flight. */
  budget: InterimBudget;
  settings(): { intervalMs: number; maxInterimInFlight: number };
  /** True while the stream has finals pending: interims wait for them (they must never slow a final). */
  finalsPending(): boolean;
  /** True while the stream's results trail its audio by more than the warning threshold. */
  lagging(): boolean;
  /** 16 kHz samples the pipeline has run through VAD so far (cheap; the open segment ends there). */
  processedSamples(): number;
  /** The pipeline's open segment (a copy of its audio so far), or null outside speech. */
  openSegment(): OpenSegment | null;
  /** Session time (ms) of a 16 kHz sample position. */
  sessionMs(sample: number): number;
  emit(result: InterimResult): void;
  /** Every reply, used or not (lag accounting). */
  decoded(reply: AsrReply, endMs: number): void;
  skipped(reason: InterimSkipReason): void;
  failed(segmentId: string, err: unknown): void;
}

const SAMPLES_PER_MS = 16;

interface SegmentState {
  segmentId: string;
  startSample: number;
  /** Revisions of this segment's decodes: interims take 1, 2, …; the final takes the next one. */
  nextRevision: number;
  agreement: LocalAgreement;
  /** Segment audio (samples) at the last interim decode. */
  decodedSamples: number;
  /** Last interim revision sent, so a late reply of an older decode never goes out after a newer one. */
  lastSentRevision: number;
}

/**
 * Interim results for one stream: while a segment is open, re-decodes its growing audio each time it has
 * grown by `interval_ms`, runs the replies through LocalAgreement-2 and emits the agreed words.
 *
 * Limits, so that interims never compete with finals: at most one interim decode in flight per stream,
 * none while a final of the stream is pending, none while the stream lags (results trail its audio by
 * more than `lag_warn_ms`), none beyond the gateway-wide budget. A skipped decode is
 * simply retried on the next audio chunk; replies that arrive after their segment closed are dropped
 * (the final replaces them).
 */
export class InterimDecoder {
  private segment?: SegmentState;
  private inFlight = false;
  private stopped = false;
  private lastSkip?: InterimSkipReason;

  constructor(private readonly deps: InterimDecoderDeps) {}

  /** An interim decode is running. */
  get busy(): boolean {
    return this.inFlight;
  }

  /** Speech started: a new segment with its own revisions and agreement. */
  open(segmentId: string, startSample: number): void {
    this.segment = {
      segmentId,
      startSample,
      nextRevision: 1,
      agreement: new LocalAgreement(),
      decodedSamples: 0,
      lastSentRevision: 0,
    };
  }

  /** The segment closed: returns the revision its final must carry (above every interim's). */
  close(segmentId: string): number {
    const s = this.segment;
    if (!s || s.segmentId !== segmentId) return 1;
    this.segment = undefined;
    return s.nextRevision;
  }

  /** The stream is over: no more decodes; replies still in flight are dropped. */
  stop(): void {
    this.stopped = true;
    this.segment = undefined;
  }

  /** Starts an interim decode if the open segment has grown enough and the limits allow. */
  poll(): void {
    const s = this.segment;
    if (!s || this.stopped) return;
    const settings = this.deps.settings();
    const interval = settings.intervalMs * SAMPLES_PER_MS;
    // Checked before copying the segment's audio (up to max_segment_ms of it), which poll() must not do
    // on every chunk.
    if (this.deps.processedSamples() - s.startSample - s.decodedSamples < interval) return;
    if (this.inFlight) return this.skip('in_flight');
    if (this.deps.finalsPending()) return this.skip('final_pending');
    // Behind: the workers' time goes to finals. The lag falls back to 0 once the segment's final is in,
    // so the next segment tries interims again.
    if (this.deps.lagging()) return this.skip('lagging');
    const open = this.deps.openSegment();
    if (!open || open.startSample !== s.startSample) return;
    if (!this.deps.budget.tryAcquire(settings.maxInterimInFlight)) return this.skip('gateway_budget');
    this.lastSkip = undefined;
    this.inFlight = true;
    s.decodedSamples = open.audio.length;
    const job: InterimJob = {
      segmentId: s.segmentId,
      revision: s.nextRevision++,
      audio: open.audio,
      startMs: this.deps.sessionMs(open.startSample),
      endMs: this.deps.sessionMs(open.startSample + open.audio.length),
    };
    void this.run(s, job);
  }

  private async run(s: SegmentState, job: InterimJob): Promise<void> {
    let reply: AsrReply | undefined;
    try {
      reply = await this.deps.decode(job);
    } catch (err) {
      this.deps.failed(job.segmentId, err);
    } finally {
      this.inFlight = false;
      this.deps.budget.release();
    }
    if (reply) {
      this.deps.decoded(reply, job.endMs);
      if (reply.ok && this.segment === s && job.revision > s.lastSentRevision) {
        const update = s.agreement.update(reply.text);
        if (update.grew) {
          s.lastSentRevision = job.revision;
          this.deps.emit({
            segmentId: job.segmentId,
            revision: job.revision,
            startMs: job.startMs,
            endMs: job.endMs,
            text: update.text,
            stability: update.stability,
            reply,
          });
        }
      }
    }
    // The audio kept growing while this decode ran.
    this.poll();
  }

  /** Reports a skip once per run of skips of the same kind, not once per audio chunk. */
  private skip(reason: InterimSkipReason): void {
    if (this.lastSkip === reason) return;
    this.lastSkip = reason;
    this.deps.skipped(reason);
  }
}
