/**
 * Signal builders for tests that need audio variants a client might send (other rates, stereo, tones).
 * They are deliberately simple and independent of the gateway's resampler, so a test never checks that
 * code against itself.
 */

export function sine(
  frequencyHz: number,
  sampleRate: number,
  seconds: number,
  amplitude = 0.5,
): Float32Array {
  const out = new Float32Array(Math.round(sampleRate * seconds));
  const w = (2 * Math.PI * frequencyHz) / sampleRate;
  for (let i = 0; i < out.length; i++) out[i] = amplitude * Math.sin(w * i);
  return out;
}

/** Channel arrays (equal length) → one interleaved array. */
export function interleave(channels: Float32Array[]): Float32Array {
  const n = channels[0]?.length ?? 0;
  if (channels.some((c) => c.length !== n)) throw new Error('interleave: channels differ in length');
  const out = new Float32Array(n * channels.length);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < channels.length; c++) out[i * channels.length + c] = channels[c][i];
  return out;
}

/**
 * Linear-interpolation resampling of a mono signal. Good enough to make a 48 kHz copy of a 16 kHz fixture
 * (upsampling adds only weak images above the original band); not a production resampler.
 */
export function resampleLinear(samples: Float32Array, fromRate: number, toRate: number): Float32Array {
  const n = Math.floor(((samples.length - 1) * toRate) / fromRate) + 1;
  const out = new Float32Array(Math.max(0, n));
  for (let i = 0; i < out.length; i++) {
    const t = (i * fromRate) / toRate;
    const k = Math.floor(t);
    const f = t - k;
    out[i] = k + 1 < samples.length ? samples[k] * (1 - f) + samples[k + 1] * f : samples[k];
  }
  return out;
}

/** Root-mean-square level of samples[from, to) in dBFS (a full-scale sine is -3 dBFS). */
export function rmsDb(samples: Float32Array, from = 0, to = samples.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += samples[i] * samples[i];
  return 10 * Math.log10(sum / Math.max(1, to - from) + 1e-20);
}
