import { invalidArgument } from '@olt/shared';
import { decodePcmInto, monoSampleCount } from './decode-pcm';
import { type PcmFormat, validateAudioFormat } from './pcm-format';
import {
  type OpenSegment,
  type SegmentEvent,
  SegmentPolicy,
  type SegmentPolicySettings,
} from './segment-policy';
import { StreamingResampler } from './streaming-resampler';
import { type Vad, VAD_FRAME_SAMPLES, VAD_SAMPLE_RATE } from './vad.port';

export interface AudioPipelineOptions {
  /** The client's format (as in StreamConfig.audio); validated here. */
  format: { encoding?: string | number | null; sampleRateHz?: number | null; channels?: number | null };
  /** This stream's own VAD (e.g. SileroVadModel.createStream()). */
  vad: Vad;
  policy?: Partial<SegmentPolicySettings>;
}

/** Scratch sizes: a 100 ms chunk at 192 kHz decodes to 19200 samples. */
const DECODE_BUFFER_SAMPLES = 32768;
const RESAMPLE_SLICE = 8192;

/**
 * One stream's audio path: PCM bytes → mono float → 16 kHz → 512-sample frames → VAD → SegmentPolicy.
 * Event positions are 16 kHz samples since the start of the stream. Buffers are reused from chunk to
 * chunk; only the events (and their segment audio) are allocated.
 *
 * Calls are queued: a push() made before the previous one settled waits for it, so the frame order is
 * always the order of the calls.
 */
export class AudioPipeline {
  readonly format: PcmFormat;
  private readonly vad: Vad;
  private readonly resampler: StreamingResampler;
  private readonly policy: SegmentPolicy;
  private decoded = new Float32Array(DECODE_BUFFER_SAMPLES);
  private readonly frame = new Float32Array(VAD_FRAME_SAMPLES);
  private frameFill = 0;
  private inputSamples = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private ended = false;

  constructor(options: AudioPipelineOptions) {
    this.format = validateAudioFormat(options.format);
    this.vad = options.vad;
    this.resampler = new StreamingResampler(this.format.sampleRateHz, VAD_SAMPLE_RATE);
    this.policy = new SegmentPolicy({ ...options.policy, sampleRate: VAD_SAMPLE_RATE });
  }

  /** Milliseconds of client audio received (decoded) so far. */
  get receivedMs(): number {
    return (this.inputSamples * 1000) / this.format.sampleRateHz;
  }

  /** Milliseconds of audio that went through the VAD and segment policy. */
  get processedMs(): number {
    return (this.policy.samplesProcessed * 1000) / VAD_SAMPLE_RATE;
  }

  /** True between a speech_start and its segment event. */
  get inSpeech(): boolean {
    return this.policy.inSpeech;
  }

  /** Feeds one AudioChunk. Throws invalidArgument (nothing consumed) for a malformed chunk. */
  async push(chunk: Buffer): Promise<SegmentEvent[]> {
    // Validated before queueing: a bad chunk is rejected at once and leaves the stream as it was.
    const n = monoSampleCount(chunk, this.format);
    return this.enqueue(async () => {
      if (this.ended)
        throw invalidArgument('audio received after the end of the stream (after half-close or CLOSE)');
      if (this.decoded.length < n) this.decoded = new Float32Array(n);
      // Decoding checks the whole chunk (e.g. for NaN) before anything changes state.
      decodePcmInto(chunk, this.format, this.decoded);
      this.inputSamples += n;
      const events: SegmentEvent[] = [];
      // Resample in slices so the resampler's buffers stay small whatever the chunk size.
      for (let i = 0; i < n; i += RESAMPLE_SLICE) {
        const slice = this.decoded.subarray(i, Math.min(n, i + RESAMPLE_SLICE));
        pushAll(events, await this.consume(this.resampler.push(slice)));
      }
      // One oversized chunk must not pin its buffer for the rest of the stream.
      if (this.decoded.length > DECODE_BUFFER_SAMPLES) this.decoded = new Float32Array(DECODE_BUFFER_SAMPLES);
      return events;
    });
  }

  /** Control.FLUSH: closes the open segment at the audio processed so far. */
  flush(): Promise<SegmentEvent[]> {
    return this.enqueue(async () => this.policy.flush());
  }

  /** End of audio: drains the resampler, runs the last partial frame (zero-padded for the VAD only). */
  end(): Promise<SegmentEvent[]> {
    return this.enqueue(async () => {
      if (this.ended) return [];
      this.ended = true;
      const events = await this.consume(this.resampler.flush());
      if (this.frameFill > 0) {
        this.frame.fill(0, this.frameFill);
        const probability = await this.vad.process(this.frame);
        // Only the real samples reach the policy, so positions never run past the audio received.
        pushAll(events, this.policy.push(this.frame.subarray(0, this.frameFill), probability));
        this.frameFill = 0;
      }
      pushAll(events, this.policy.end());
      return events;
    });
  }

  /** Replaces the segment policy settings (config hot reload); they apply from the next frame. */
  updatePolicySettings(settings: Partial<SegmentPolicySettings>): void {
    this.policy.updateSettings({ ...settings, sampleRate: VAD_SAMPLE_RATE });
  }

  /** The growing audio of the current segment (for interim decodes), or null outside speech. */
  getOpenSegment(): OpenSegment | null {
    return this.policy.getOpenSegment();
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Cuts 16 kHz samples into frames (carrying the remainder) and runs each through VAD and policy. */
  private async consume(samples: Float32Array): Promise<SegmentEvent[]> {
    const events: SegmentEvent[] = [];
    let i = 0;
    while (i < samples.length) {
      const take = Math.min(VAD_FRAME_SAMPLES - this.frameFill, samples.length - i);
      this.frame.set(samples.subarray(i, i + take), this.frameFill);
      this.frameFill += take;
      i += take;
      if (this.frameFill === VAD_FRAME_SAMPLES) {
        const probability = await this.vad.process(this.frame);
        pushAll(events, this.policy.push(this.frame, probability));
        this.frameFill = 0;
      }
    }
    return events;
  }
}

function pushAll(target: SegmentEvent[], source: SegmentEvent[]): void {
  for (const e of source) target.push(e);
}
