import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '@olt/devkit/dist/testing';
import { MAX_CACHED_FILTER_BANKS, StreamingResampler, cachedFilterBanks } from './streaming-resampler';

function sine(freq: number, rate: number, seconds: number, amplitude = 0.5): Float32Array {
  const out = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = amplitude * Math.sin((2 * Math.PI * freq * i) / rate);
  return out;
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Resamples a whole signal, push() in the given chunk sizes, then flush(). Copies the reused views. */
function resample(
  signal: Float32Array,
  rate: number,
  chunkSizes?: () => number,
  fastPaths = true,
): Float32Array {
  const r = new StreamingResampler(rate, 16000, fastPaths);
  const parts: Float32Array[] = [];
  for (let i = 0; i < signal.length; ) {
    const n = chunkSizes ? chunkSizes() : signal.length;
    parts.push(r.push(signal.subarray(i, i + n)).slice());
    i += n;
  }
  parts.push(r.flush().slice());
  return concat(parts);
}

function rms(x: Float32Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return Math.sqrt(s / (to - from));
}

function zeroCrossings(x: Float32Array, from: number, to: number): number {
  let n = 0;
  for (let i = from + 1; i < to; i++) if (x[i - 1] < 0 !== x[i] < 0) n++;
  return n;
}

describe('StreamingResampler', () => {
  for (const rate of [8000, 11025, 22050, 44100, 48000, 96000, 192000, 44101]) {
    it(`gives the same output at ${rate} Hz whether the signal comes whole or in random chunks`, () => {
      const random = seededRandom(rate);
      const signal = new Float32Array(Math.round(rate * 0.4)).map(() => random() * 2 - 1);
      const whole = resample(signal, rate);
      const chunked = resample(signal, rate, () => Math.floor(random() * random() * 3000));
      assert.equal(whole.length, Math.ceil((signal.length * 16000) / rate));
      assert.deepEqual(chunked, whole);
    });
  }

  for (const rate of [48000, 44100, 32000, 22050]) {
    it(`fast path at ${rate} Hz gives the general loop's output, chunk by chunk as soon as it is due`, () => {
      const random = seededRandom(rate + 1);
      const signal = new Float32Array(Math.round(rate * 0.3)).map(() => random() * 2 - 1);
      const fast = new StreamingResampler(rate);
      const general = new StreamingResampler(rate, 16000, false);
      for (let i = 0; i < signal.length; ) {
        const n = Math.floor(random() * 2000);
        const chunk = signal.subarray(i, i + n);
        const a = fast.push(chunk);
        const b = general.push(chunk);
        assert.equal(a.length, b.length, `outputs after ${i + n} input samples`);
        for (let k = 0; k < a.length; k++) assert.ok(Math.abs(a[k] - b[k]) < 1e-5, `sample ${k}`);
        i += n;
      }
      assert.equal(fast.flush().length, general.flush().length);
    });
  }

  for (const rate of [44100, 48000, 8000]) {
    it(`keeps a 1 kHz sine at ${rate} Hz → 16 kHz on frequency, in time and within 1 dB`, () => {
      const out = resample(sine(1000, rate, 1), rate);
      assert.equal(out.length, 16000);
      const from = 800; // skip the filter's start-up and tail
      const to = 15200;
      const crossings = zeroCrossings(out, from, to);
      const expected = (2 * 1000 * (to - from)) / 16000;
      assert.ok(Math.abs(crossings - expected) <= 2, `${crossings} zero crossings, expected ${expected}`);
      const gainDb = 20 * Math.log10(rms(out, from, to) / (0.5 / Math.SQRT2));
      assert.ok(Math.abs(gainDb) < 1, `gain ${gainDb.toFixed(2)} dB`);
      // No delay: output sample n is the input signal at time n / 16000 s.
      let worst = 0;
      for (let n = from; n < to; n++)
        worst = Math.max(worst, Math.abs(out[n] - 0.5 * Math.sin((2 * Math.PI * 1000 * n) / 16000)));
      assert.ok(worst < 0.01, `largest deviation from the ideal sine ${worst}`);
    });
  }

  it('attenuates a 12 kHz tone at 48 kHz (above the 8 kHz Nyquist of 16 kHz) by more than 40 dB', () => {
    const input = sine(12000, 48000, 1);
    const out = resample(input, 48000);
    const db = 20 * Math.log10(rms(out, 800, 15200) / rms(input, 0, input.length));
    assert.ok(db < -40, `12 kHz tone only attenuated to ${db.toFixed(1)} dB`);
  });

  it('attenuates a 9 kHz tone at 44.1 kHz by more than 40 dB', () => {
    const input = sine(9000, 44100, 1);
    const out = resample(input, 44100);
    const db = 20 * Math.log10(rms(out, 800, 15200) / rms(input, 0, input.length));
    assert.ok(db < -40, `9 kHz tone only attenuated to ${db.toFixed(1)} dB`);
  });

  it('passes 16 kHz input through untouched, in the same chunks', () => {
    const r = new StreamingResampler(16000);
    const chunk = new Float32Array([0.1, -0.2, 0.3]);
    assert.equal(r.push(chunk), chunk);
    assert.equal(r.flush().length, 0);
    assert.equal(r.samplesOut, 3);
  });

  it('emits the tail only on flush, and refuses input after it', () => {
    const r = new StreamingResampler(48000);
    const first = r.push(new Float32Array(4800).fill(0.25)).length;
    assert.ok(first < 1600, 'the last outputs wait for future input');
    const tail = r.flush().length;
    assert.equal(first + tail, 1600);
    assert.throws(() => r.push(new Float32Array(10)), /after flush/);
  });

  it('keeps a bounded number of filter banks however many distinct rates clients send', () => {
    // A stream at an evicted rate keeps working: it holds its own bank.
    const early = new StreamingResampler(8001);
    for (let rate = 8002; rate < 8002 + 3 * MAX_CACHED_FILTER_BANKS; rate++) new StreamingResampler(rate);
    assert.equal(cachedFilterBanks(), MAX_CACHED_FILTER_BANKS);
    const out = early.push(sine(440, 8001, 0.5));
    assert.ok(out.length > 7900 && out.length <= 8000, `8001 Hz → 16 kHz gave ${out.length} samples`);
  });
});
