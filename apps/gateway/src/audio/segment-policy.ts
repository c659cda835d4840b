import { invalidArgument } from '@olt/shared';
import { AudioHistory } from './audio-history';

export interface SegmentPolicySettings {
  /** A frame with probability ≥ threshold starts speech. */
  threshold: number;
  /** Once speech has started, frames with probability ≥ negThreshold keep it going (hysteresis). */
  negThreshold: number;
  /** Speech ends after this much continuous non-speech. */
  silenceMs: number;
  /** Audio kept before the first speech frame, so soft onsets are not clipped. */
  preRollMs: number;
  /** Bursts shorter than this never become segments (clicks, coughs). */
  minSpeechMs: number;
  /** A segment is cut at this length; if the speech goes on, the next segment starts at the cut. */
  maxSegmentMs: number;
  /** Silence kept after the last speech frame in a segment's audio. */
  tailMs: number;
  sampleRate: number;
}

export const DEFAULT_SEGMENT_POLICY_SETTINGS: Readonly<SegmentPolicySettings> = Object.freeze({
  threshold: 0.5,
  negThreshold: 0.35,
  silenceMs: 500,
  preRollMs: 200,
  minSpeechMs: 250,
  maxSegmentMs: 15000,
  tailMs: 150,
  sampleRate: 16000,
});

/**
 * Fills in defaults (negThreshold follows threshold − 0.15 unless given) and checks the combination.
 * Throws invalidArgument naming the setting, its value and the accepted range.
 */
export function resolveSegmentPolicySettings(
  given: Partial<SegmentPolicySettings> = {},
): SegmentPolicySettings {
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  const merged: SegmentPolicySettings = { ...DEFAULT_SEGMENT_POLICY_SETTINGS, ...defined };
  if (given.negThreshold === undefined) merged.negThreshold = Math.max(0.01, merged.threshold - 0.15);
  const s = merged;
  const check = (ok: boolean, what: string) => {
    if (!ok) throw invalidArgument(`segment policy: ${what}`);
  };
  check(
    s.threshold > 0 && s.threshold < 1,
    `threshold is ${s.threshold}; it must be between 0 and 1 (exclusive)`,
  );
  check(
    s.negThreshold > 0 && s.negThreshold <= s.threshold,
    `negThreshold is ${s.negThreshold}; it must be above 0 and at most threshold (${s.threshold})`,
  );
  check(
    Number.isInteger(s.sampleRate) && s.sampleRate > 0,
    `sampleRate is ${s.sampleRate}; it must be a positive integer`,
  );
  check(
    s.silenceMs >= 32 && s.silenceMs <= 10000,
    `silenceMs is ${s.silenceMs}; it must be from 32 to 10000`,
  );
  check(s.preRollMs >= 0 && s.preRollMs <= 2000, `preRollMs is ${s.preRollMs}; it must be from 0 to 2000`);
  check(
    s.minSpeechMs >= 0 && s.minSpeechMs <= 5000,
    `minSpeechMs is ${s.minSpeechMs}; it must be from 0 to 5000`,
  );
  check(
    s.tailMs >= 0 && s.tailMs <= s.silenceMs,
    `tailMs is ${s.tailMs}; it must be from 0 to silenceMs (${s.silenceMs})`,
  );
  const minMax = Math.max(1000, s.preRollMs + s.minSpeechMs + 100);
  check(
    s.maxSegmentMs >= minMax && s.maxSegmentMs <= 120000,
    `maxSegmentMs is ${s.maxSegmentMs}; it must be from ${minMax} (at least 1 s and longer than preRollMs + minSpeechMs) to 120000`,
  );
  return merged;
}

export type SegmentEndReason = 'silence' | 'max_length' | 'flush' | 'end';

export interface SpeechStartEvent {
  type: 'speech_start';
  segmentIndex: number;
  /** Where the segment's audio begins (pre-roll included), in samples since the stream started. */
  startSample: number;
}

export interface SegmentClosedEvent {
  type: 'segment';
  segmentIndex: number;
  startSample: number;
  /** Exclusive. */
  endSample: number;
  /** Exactly endSample − startSample samples; owned by the receiver. */
  audio: Float32Array;
  reason: SegmentEndReason;
  /** Share of the segment the VAD heard as speech (0..1): the ASR worker's hallucination guard uses it. */
  speechRatio: number;
}

export type SegmentEvent = SpeechStartEvent | SegmentClosedEvent;

export interface OpenSegment {
  segmentIndex: number;
  startSample: number;
  audio: Float32Array;
}

type State = 'idle' | 'pending' | 'active';

/**
 * Turns per-frame speech probabilities into speech segments. Pure and synchronous: time is counted in
 * samples, there are no timers and no I/O, so the same inputs always give the same events.
 *
 * Contract for callers (this is what SPEECH_START/SPEECH_END on the wire rely on):
 * - speech_start is emitted only once a burst has lasted minSpeechMs, so EVERY speech_start is followed
 *   by exactly one segment event with the same segmentIndex, before any other speech_start. Shorter
 *   bursts are dropped silently (there is no "discarded" event to handle).
 * - segmentIndex counts 0, 1, 2, …; segments' [startSample, endSample) never overlap and increase.
 * - A segment ends silenceMs after its last speech frame (reason 'silence'), keeping tailMs of that
 *   silence; at maxSegmentMs ('max_length'), where, if the speech goes on, the next segment starts at the
 *   very same sample (no audio lost, none repeated); on flush() ('flush') or end() ('end').
 * - The audio held is bounded by preRollMs while idle and by maxSegmentMs while in speech.
 */
export class SegmentPolicy {
  private settings: SegmentPolicySettings;
  private s = { silence: 0, preRoll: 0, minSpeech: 0, maxSegment: 0, tail: 0 };
  /** Samples of the current (pending or open) segment whose frames were above the speech threshold. */
  private voicedSamples = 0;
  private readonly history = new AudioHistory();
  private state: State = 'idle';
  private position = 0;
  private nextIndex = 0;
  private segStart = 0;
  private speechStart = 0;
  private voicedEnd = 0;
  private lastVoiced = false;
  private lastSegmentEnd = 0;
  private ended = false;

  constructor(settings: Partial<SegmentPolicySettings> = {}) {
    this.settings = this.apply(settings);
  }

  /**
   * Replaces the settings (unset fields take their defaults); they apply from the next frame. A segment
   * already longer than a new, smaller maxSegmentMs is cut on the next frame.
   */
  updateSettings(settings: Partial<SegmentPolicySettings>): void {
    const next = resolveSegmentPolicySettings(settings);
    if (next.sampleRate !== this.settings.sampleRate) {
      throw invalidArgument(
        `segment policy: sampleRate cannot change on a running stream (${this.settings.sampleRate} → ${next.sampleRate})`,
      );
    }
    this.settings = this.apply(next);
  }

  get currentSettings(): Readonly<SegmentPolicySettings> {
    return this.settings;
  }

  /** Samples consumed so far. */
  get samplesProcessed(): number {
    return this.position;
  }

  /** True between a speech_start and its segment event. */
  get inSpeech(): boolean {
    return this.state === 'active';
  }

  /** Samples of audio buffer allocated (memory checks and metrics). */
  get bufferCapacity(): number {
    return this.history.capacity;
  }

  /** Feeds the next frame (any length ≥ 1, normally 512 samples) and its speech probability. */
  push(frame: Float32Array, probability: number): SegmentEvent[] {
    if (this.ended) throw invalidArgument('segment policy: audio pushed after end()');
    const events: SegmentEvent[] = [];
    if (frame.length === 0) return events;
    const frameStart = this.position;
    this.history.append(frame);
    this.position += frame.length;
    const frameEnd = this.position;

    if (this.state === 'idle') {
      this.lastVoiced = probability >= this.settings.threshold;
      if (!this.lastVoiced) {
        this.releaseIdleAudio();
        return events;
      }
      this.state = 'pending';
      this.voicedSamples = 0;
      this.speechStart = frameStart;
      this.segStart = Math.max(frameStart - this.s.preRoll, this.lastSegmentEnd, this.history.startSample);
    } else {
      this.lastVoiced = probability >= this.settings.negThreshold;
    }
    if (this.lastVoiced) this.voicedEnd = frameEnd;
    if (probability >= this.settings.threshold) this.voicedSamples += frame.length;

    if (this.state === 'pending') {
      if (this.voicedEnd - this.speechStart >= this.s.minSpeech) {
        this.open(events, this.segStart);
      } else if (frameEnd - this.voicedEnd >= this.s.silence) {
        this.state = 'idle'; // too short: dropped without events
      }
    }
    if (this.state === 'active') this.closeIfDue(events);
    this.releaseIdleAudio();
    return events;
  }

  /** Control.FLUSH: closes the open segment now (a burst not yet minSpeechMs long is dropped). */
  flush(): SegmentEvent[] {
    return this.finish('flush');
  }

  /** End of audio: closes the open segment; no more frames are accepted. */
  end(): SegmentEvent[] {
    const events = this.finish('end');
    this.ended = true;
    return events;
  }

  /** The growing audio of the segment announced by the last speech_start, or null outside speech. */
  getOpenSegment(): OpenSegment | null {
    if (this.state !== 'active') return null;
    return {
      segmentIndex: this.nextIndex - 1,
      startSample: this.segStart,
      audio: this.history.copy(this.segStart, this.position),
    };
  }

  private apply(given: Partial<SegmentPolicySettings>): SegmentPolicySettings {
    const settings = resolveSegmentPolicySettings(given);
    const samples = (ms: number) => Math.round((ms * settings.sampleRate) / 1000);
    this.s = {
      silence: samples(settings.silenceMs),
      preRoll: samples(settings.preRollMs),
      minSpeech: samples(settings.minSpeechMs),
      maxSegment: samples(settings.maxSegmentMs),
      tail: samples(settings.tailMs),
    };
    return settings;
  }

  private finish(reason: 'flush' | 'end'): SegmentEvent[] {
    const events: SegmentEvent[] = [];
    if (this.state === 'active') {
      if (this.lastVoiced) this.cutOverlong(events);
      const maxEnd = this.segStart + this.s.maxSegment;
      this.close(events, Math.min(this.position, this.voicedEnd + this.s.tail, maxEnd), reason);
    }
    this.state = 'idle';
    this.releaseIdleAudio();
    return events;
  }

  private closeIfDue(events: SegmentEvent[]): void {
    if (this.lastVoiced) {
      this.cutOverlong(events);
      return;
    }
    const maxEnd = this.segStart + this.s.maxSegment;
    const tailEnd = Math.min(this.voicedEnd + this.s.tail, this.position, maxEnd);
    if (this.position - this.voicedEnd >= this.s.silence) {
      this.close(events, tailEnd, 'silence');
    } else if (this.position - this.segStart > this.s.maxSegment) {
      // Cut while in a pause: end the segment at the pause; speech resuming later starts a new one.
      this.close(events, tailEnd, 'max_length');
    }
  }

  /** Speech goes on past maxSegmentMs: cut, and continue in a new segment from the same sample. */
  private cutOverlong(events: SegmentEvent[]): void {
    while (this.position - this.segStart > this.s.maxSegment) {
      const cut = this.segStart + this.s.maxSegment;
      this.close(events, cut, 'max_length');
      this.speechStart = cut;
      this.voicedSamples = Math.max(0, this.position - cut); // the speech that spilled past the cut
      this.open(events, cut);
    }
  }

  private open(events: SegmentEvent[], start: number): void {
    this.state = 'active';
    this.segStart = start;
    this.history.dropBefore(start); // after a max_length cut the previous segment's audio is no longer needed
    events.push({ type: 'speech_start', segmentIndex: this.nextIndex++, startSample: start });
  }

  private close(events: SegmentEvent[], end: number, reason: SegmentEndReason): void {
    events.push({
      type: 'segment',
      segmentIndex: this.nextIndex - 1,
      startSample: this.segStart,
      endSample: end,
      audio: this.history.copy(this.segStart, end),
      reason,
      speechRatio: end > this.segStart ? Math.min(1, this.voicedSamples / (end - this.segStart)) : 0,
    });
    this.lastSegmentEnd = end;
    this.state = 'idle';
  }

  /** While idle only the pre-roll window can still become part of a segment. */
  private releaseIdleAudio(): void {
    if (this.state !== 'idle') return;
    this.history.dropBefore(Math.max(this.lastSegmentEnd, this.position - this.s.preRoll));
  }
}
