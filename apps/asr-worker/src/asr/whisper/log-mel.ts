import { MixedRadixFft } from './fft';

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

  compute(audio: Float32Array): Float32Array {
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
    const mel = new Float64Array(nMels * frames);
    mel.fill(MEL_FLOOR);
    const re = new Float64Array(nFft);
    const im = new Float64Array(nFft);
    const outRe = new Float64Array(nFft);
    const outIm = new Float64Array(nFft);
    const power = new Float64Array(bins);
    // Frames that only see padding have zero power: skip their FFTs (most of a short clip's 30 s window).
    const lastAudible = Math.min(frames - 1, Math.floor((length - 1 + half) / hopLength));
    // Two real frames per complex FFT: z = a + i·b, then A[k] = (Z[k] + conj Z[n-k]) / 2, B[k] = (Z[k] - conj Z[n-k]) / 2i.
    for (let t = 0; t <= lastAudible; t += 2) {
      const pair = t + 1 <= lastAudible;
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
        const frame = t + which;
        for (let m = 0; m < nMels; m++) {
          const { start, weights } = this.filters[m];
          let sum = 0;
          for (let j = 0; j < weights.length; j++) sum += weights[j] * power[start + j];
          mel[m * frames + frame] = Math.max(sum, MEL_FLOOR);
        }
      }
    }
    const out = new Float32Array(nMels * frames);
    let max = -Infinity;
    for (let i = 0; i < mel.length; i++) {
      const v = Math.log10(mel[i]);
      mel[i] = v;
      if (v > max) max = v;
    }
    const floor = max - 8;
    for (let i = 0; i < mel.length; i++) out[i] = (Math.max(mel[i], floor) + 4) / 4;
    return out;
  }
}
