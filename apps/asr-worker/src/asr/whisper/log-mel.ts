import { MixedRadixFft } from './fft';
import type { MelFrameCache, MelFrames } from './mel-frame-cache';

/** The feature extractor settings of preprocessor_config.json (WhisperFeatureExtractor). */
export interface LogMelSettings {
  /** Mel bins: 80 for most Whisper models, 128 for large-v3 / large-v3-turbo. */
  nMels: number;
  nFft: number;
  hopLength: number;
  samplingRate: number;
  /** Samples in one window (30 s at 16 kHz = 480000); input is zero-padded to this length. */
  nSamples: number;
}

export const WHISPER_LOG_MEL_DEFAULTS: LogMelSettings = {
  nMels: 80,
  nFft: 400,
  hopLength: 160,
  samplingRate: 16000,
  nSamples: 480000,
};

const MEL_FLOOR = 1e-10;

/** Slaney mel scale (librosa's default, htk = false): linear below 1 kHz, logarithmic above. */
export function hertzToMel(hz: number): number {
  const minLogHz = 1000;
  const minLogMel = 15;
  const logStep = 27 / Math.log(6.4);
  return hz >= minLogHz ? minLogMel + Math.log(hz / minLogHz) * logStep : (3 * hz) / 200;
}

export function melToHertz(mel: number): number {
  const minLogHz = 1000;
  const minLogMel = 15;
  const logStep = Math.log(6.4) / 27;
  return mel >= minLogMel ? minLogHz * Math.exp(logStep * (mel - minLogMel)) : (200 * mel) / 3;
}

/** One triangular filter, stored sparsely: weights for FFT bins [start, start + weights.length). */
export interface MelFilter {
  start: number;
  weights: Float64Array;
}

/**
 * Slaney-normalised triangular mel filters over the rfft bins, as transformers' mel_filter_bank(norm =
 * "slaney", mel_scale = "slaney") and librosa.filters.mel compute them.
 */
export function melFilterBank(
  nMels: number,
  nFft: number,
  samplingRate: number,
  fMin = 0,
  fMax = 8000,
): MelFilter[] {
  const bins = Math.floor(nFft / 2) + 1;
  const melMin = hertzToMel(fMin);
  const melMax = hertzToMel(fMax);
  const edges = Array.from({ length: nMels + 2 }, (_, i) =>
    melToHertz(melMin + ((melMax - melMin) * i) / (nMels + 1)),
  );
  const binHz = Array.from({ length: bins }, (_, k) => ((samplingRate / 2) * k) / (bins - 1));
  const filters: MelFilter[] = [];
  for (let m = 0; m < nMels; m++) {
    const [lo, centre, hi] = [edges[m], edges[m + 1], edges[m + 2]];
    const norm = 2 / (hi - lo);
    const dense = binHz.map(
      (f) => Math.max(0, Math.min((f - lo) / (centre - lo), (hi - f) / (hi - centre))) * norm,
    );
    let start = dense.findIndex((x) => x > 0);
    if (start < 0) start = 0;
    let end = dense.length;
    while (end > start && dense[end - 1] <= 0) end--;
    filters.push({ start, weights: Float64Array.from(dense.slice(start, end)) });
  }
  return filters;
}

/** Periodic Hann window (torch.hann_window / transformers window_function(periodic=True)). */
export function hannWindow(length: number): Float64Array {
  return Float64Array.from({ length }, (_, n) => 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / length));
}

/** Where a request's frames may come from and go to: see LogMelSpectrogram.compute. */
export interface MelReuse {
  key: string;
  cache: MelFrameCache;
}

/**
 * Whisper's log-mel spectrogram, numerically as WhisperFeatureExtractor: zero-pad/trim to nSamples,
 * centred STFT (reflect padding) with a periodic Hann window, power spectrum, Slaney mel filters,
 * log10(max(x, 1e-10)), clamp to (max - 8), then (x + 4) / 4. Output: [nMels, nSamples / hop] row-major.
 */
export class LogMelSpectrogram {
  private readonly fft: MixedRadixFft;
  private readonly window: Float64Array;
  private readonly filters: MelFilter[];
  readonly frames: number;

  constructor(readonly settings: LogMelSettings = WHISPER_LOG_MEL_DEFAULTS) {
    this.fft = new MixedRadixFft(settings.nFft);
    this.window = hannWindow(settings.nFft);
    this.filters = melFilterBank(settings.nMels, settings.nFft, settings.samplingRate);
    this.frames = Math.floor(settings.nSamples / settings.hopLength);
  }

  /**
   * With `reuse`, frames of audio seen before under the same key (an open segment decoded again as it
   * grows) come from the cache, and this request's frames go into it. The audio is compared, so a key
   * whose audio changed only costs the full computation; the output is bit-identical either way.
   */
  compute(audio: Float32Array, reuse?: MelReuse): Float32Array {
    const { nFft, hopLength, nMels, nSamples } = this.settings;
    const length = Math.min(audio.length, nSamples);
    const half = nFft >> 1;
    const bins = half + 1;
    const frames = this.frames;
    // Reflect-pad the (zero-padded) window by nFft/2 on both sides, as the centred STFT does.
    const sampleAt = (i: number): number => {
      let j = i - half;
      if (j < 0) j = -j;
      else if (j >= nSamples) j = 2 * (nSamples - 1) - j;
      return j < length ? audio[j] : 0;
    };
    // Frames that only see padding have zero power, hence the floor: only the audible ones are computed
    // (most of a short clip's 30 s window).
    const audible = length === 0 ? 0 : Math.min(frames, Math.floor((length - 1 + half) / hopLength) + 1);
    const logFrames = new Float64Array(audible * nMels);
    const prior = reuse?.cache.get(reuse.key);
    const from = prior ? this.reusableFrames(prior, audio, length, audible) : 0;
    if (prior && from > 0) logFrames.set(prior.logFrames.subarray(0, from * nMels));
    const re = new Float64Array(nFft);
    const im = new Float64Array(nFft);
    const outRe = new Float64Array(nFft);
    const outIm = new Float64Array(nFft);
    const power = new Float64Array(bins);
    // Two real frames per complex FFT: z = a + i·b, then A[k] = (Z[k] + conj Z[n-k]) / 2, B[k] = (Z[k] - conj Z[n-k]) / 2i.
    for (let t = from; t < audible; t += 2) {
      const pair = t + 1 < audible;
      for (let n = 0; n < nFft; n++) {
        re[n] = sampleAt(t * hopLength + n) * this.window[n];
        im[n] = pair ? sampleAt((t + 1) * hopLength + n) * this.window[n] : 0;
      }
      this.fft.transform(re, im, outRe, outIm);
      for (let which = 0; which < (pair ? 2 : 1); which++) {
        for (let k = 0; k < bins; k++) {
          const nk = k === 0 ? 0 : nFft - k;
          const aRe = (outRe[k] + outRe[nk]) / 2;
          const aIm = (outIm[k] - outIm[nk]) / 2;
          const bRe = (outIm[k] + outIm[nk]) / 2;
          const bIm = (outRe[nk] - outRe[k]) / 2;
          power[k] = which === 0 ? aRe * aRe + aIm * aIm : bRe * bRe + bIm * bIm;
        }
        const base = (t + which) * nMels;
        for (let m = 0; m < nMels; m++) {
          const { start, weights } = this.filters[m];
          let sum = 0;
          for (let j = 0; j < weights.length; j++) sum += weights[j] * power[start + j];
          logFrames[base + m] = Math.log10(Math.max(sum, MEL_FLOOR));
        }
      }
    }
    const padding = Math.log10(MEL_FLOOR);
    let max = audible < frames ? padding : -Infinity;
    for (let i = 0; i < logFrames.length; i++) if (logFrames[i] > max) max = logFrames[i];
    const floor = max - 8;
    const out = new Float32Array(nMels * frames);
    if (audible < frames) out.fill((Math.max(padding, floor) + 4) / 4);
    for (let t = 0; t < audible; t++) {
      for (let m = 0; m < nMels; m++)
        out[m * frames + t] = (Math.max(logFrames[t * nMels + m], floor) + 4) / 4;
    }
    if (reuse) reuse.cache.set(reuse.key, { audio: audio.slice(0, length), logFrames });
    return out;
  }

  /** How many leading frames of `prior` hold for this audio (0 unless its audio starts as prior's did). */
  private reusableFrames(prior: MelFrames, audio: Float32Array, length: number, audible: number): number {
    const { nFft, hopLength, nMels } = this.settings;
    const common = Math.min(prior.audio.length, length);
    if (!samePrefix(prior.audio, audio, common)) return 0;
    const priorFrames = prior.logFrames.length / nMels;
    if (prior.audio.length === length) return Math.min(priorFrames, audible);
    // Frame t reads samples up to t·hop + nFft/2 − 1 (frame 0 reflects back to sample nFft/2): the frames
    // whose samples all lie inside the shared prefix are unchanged.
    const half = nFft >> 1;
    if (common < half + 1) return 0;
    const n = Math.min(Math.floor((common - half - 1) / hopLength) + 1, priorFrames, audible);
    // Frames go through the FFT in pairs (t even, t + 1), and a frame's rounding depends on its partner:
    // keep the pairing so that the result stays bit-identical.
    return n - (n % 2);
  }
}

function samePrefix(a: Float32Array, b: Float32Array, n: number): boolean {
  const bytes = n * Float32Array.BYTES_PER_ELEMENT;
  return Buffer.from(a.buffer, a.byteOffset, bytes).equals(Buffer.from(b.buffer, b.byteOffset, bytes));
}
