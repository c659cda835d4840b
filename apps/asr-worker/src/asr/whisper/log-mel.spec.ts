import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '@olt/devkit/dist/testing';
import { MixedRadixFft } from './fft';
import { LogMelSpectrogram, melFilterBank, WHISPER_LOG_MEL_DEFAULTS } from './log-mel';
import { MelFrameCache } from './mel-frame-cache';

// Reference values computed here independently (naive DFT, formulas written out again), never via log-mel.ts.
const SLANEY_LOG_STEP = 27 / Math.log(6.4);
const hzToMel = (hz: number) => (hz < 1000 ? (3 * hz) / 200 : 15 + Math.log(hz / 1000) * SLANEY_LOG_STEP);
const melToHz = (mel: number) => (mel < 15 ? (200 * mel) / 3 : 1000 * Math.exp((mel - 15) / SLANEY_LOG_STEP));

function naiveDft(x: number[]): { re: number[]; im: number[] } {
  const n = x.length;
  const re: number[] = [];
  const im: number[] = [];
  for (let k = 0; k < n; k++) {
    let r = 0;
    let i = 0;
    for (let j = 0; j < n; j++) {
      r += x[j] * Math.cos((2 * Math.PI * j * k) / n);
      i -= x[j] * Math.sin((2 * Math.PI * j * k) / n);
    }
    re.push(r);
    im.push(i);
  }
  return { re, im };
}

/** Mel filter m's centre frequency: the (m+1)-th of nMels + 2 points evenly spaced in Slaney mels over 0–8 kHz. */
const centreHz = (m: number, nMels: number) => melToHz(((m + 1) * hzToMel(8000)) / (nMels + 1));

function sine(hz: number, seconds: number, amplitude = 0.5): Float32Array {
  return Float32Array.from(
    { length: Math.round(16000 * seconds) },
    (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / 16000),
  );
}

describe('MixedRadixFft', () => {
  for (const n of [400, 16, 12, 7, 1]) {
    it(`matches a naive DFT for n = ${n}`, () => {
      const re = Array.from({ length: n }, (_, i) => Math.sin(i * 1.7) + (i % 3));
      const im = Array.from({ length: n }, (_, i) => Math.cos(i * 0.3));
      const fft = new MixedRadixFft(n);
      const outRe = new Float64Array(n);
      const outIm = new Float64Array(n);
      fft.transform(re, im, outRe, outIm);
      // DFT of re + i·im = DFT(re) + i·DFT(im)
      const a = naiveDft(re);
      const b = naiveDft(im);
      for (let k = 0; k < n; k++) {
        assert.ok(Math.abs(outRe[k] - (a.re[k] - b.im[k])) < 1e-9, `re[${k}]`);
        assert.ok(Math.abs(outIm[k] - (a.im[k] + b.re[k])) < 1e-9, `im[${k}]`);
      }
    });
  }
});

describe('Slaney mel filter bank', () => {
  it('places each triangular filter peak at its Slaney centre frequency', () => {
    const filters = melFilterBank(80, 400, 16000);
    assert.equal(filters.length, 80);
    for (const m of [0, 10, 40, 79]) {
      const { start, weights } = filters[m];
      const peakBin = start + weights.indexOf(Math.max(...weights));
      assert.ok(Math.abs(peakBin * 40 - centreHz(m, 80)) <= 40, `filter ${m}: peak ${peakBin * 40} Hz`);
    }
  });

  it('normalises each filter to area 2 / bandwidth (norm = "slaney")', () => {
    const filters = melFilterBank(80, 400, 16000);
    // Peak height 2 / (hi - lo) over a base of (hi - lo) Hz: area 1. Sampled every 40 Hz, so only the
    // wide (high) filters are checked, where the sampled sum approximates the area well.
    for (const m of [60, 70, 79]) {
      const area = filters[m].weights.reduce((s, w) => s + w, 0) * 40;
      assert.ok(Math.abs(area - 1) < 0.1, `filter ${m} area ${area}`);
    }
  });
});

describe('LogMelSpectrogram', () => {
  it('outputs [n_mels, 3000] frames; silence is the clamp floor everywhere', () => {
    const mel = new LogMelSpectrogram();
    const out = mel.compute(new Float32Array(16000));
    assert.equal(out.length, 80 * 3000);
    // log10(1e-10) = -10 everywhere, so max - 8 clamps nothing below -10: (−10 + 4) / 4.
    assert.ok(out.every((v) => v === -1.5));
  });

  it('puts a pure tone in the mel bin whose centre is closest to it', () => {
    const mel = new LogMelSpectrogram();
    for (const hz of [440, 1000, 3000, 6000]) {
      const out = mel.compute(sine(hz, 1));
      const frame = 50;
      const column = Array.from({ length: 80 }, (_, m) => out[m * 3000 + frame]);
      const loudest = column.indexOf(Math.max(...column));
      const distances = Array.from({ length: 80 }, (_, m) =>
        Math.abs(hzToMel(centreHz(m, 80)) - hzToMel(hz)),
      );
      const nearest = distances.indexOf(Math.min(...distances));
      assert.ok(
        Math.abs(loudest - nearest) <= 1,
        `${hz} Hz: loudest bin ${loudest}, nearest centre ${nearest}`,
      );
    }
  });

  it('matches an independent computation of one frame (reflect pad, periodic Hann, power, Slaney filter, log10)', () => {
    const audio = Float32Array.from(
      { length: 8000 },
      (_, i) => 0.3 * Math.sin(i * 0.05) + 0.2 * Math.sin(i * 0.71 + 1),
    );
    const out = new LogMelSpectrogram().compute(audio);
    for (const frame of [0, 20]) {
      const x = Array.from({ length: 400 }, (_, n) => {
        let j = frame * 160 + n - 200;
        if (j < 0) j = -j; // reflect padding at the start
        const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / 400);
        return (j < audio.length ? audio[j] : 0) * w;
      });
      const { re, im } = naiveDft(x);
      const power = Array.from({ length: 201 }, (_, k) => re[k] ** 2 + im[k] ** 2);
      for (const m of [2, 3, 40, 41]) {
        const [lo, c, hi] = [m, m + 1, m + 2].map((i) => melToHz((i * hzToMel(8000)) / 81));
        let energy = 0;
        for (let k = 0; k < 201; k++) {
          const f = k * 40;
          energy +=
            Math.max(0, Math.min((f - lo) / (c - lo), (hi - f) / (hi - c))) * (2 / (hi - lo)) * power[k];
        }
        const expected = Math.log10(Math.max(energy, 1e-10));
        const got = out[m * 3000 + frame] * 4 - 4; // undo (x + 4) / 4; bins near the two tones are above the clamp
        assert.ok(Math.abs(got - expected) < 1e-4, `frame ${frame} bin ${m}: ${got} vs ${expected}`);
      }
    }
  });

  it('clamps to 8 (log10) below the loudest value and supports 128 mel bins', () => {
    const out = new LogMelSpectrogram({ ...WHISPER_LOG_MEL_DEFAULTS, nMels: 128 }).compute(sine(1000, 2));
    assert.equal(out.length, 128 * 3000);
    let max = -Infinity;
    let min = Infinity;
    for (const v of out) {
      max = Math.max(max, v);
      min = Math.min(min, v);
    }
    assert.ok(Math.abs(max - min - 2) < 1e-6, `range ${max - min}`); // 8 decades / 4
  });

  it('computes 30 s of audio quickly (real FFT, padding frames skipped only when silent)', () => {
    const noise = Float32Array.from({ length: 480000 }, (_, i) => Math.sin(i * i * 1e-7) * 0.3);
    const started = Date.now();
    const out = new LogMelSpectrogram().compute(noise);
    const ms = Date.now() - started;
    assert.ok(ms < 3000, `${ms} ms`);
    assert.ok(out[2999] > -1.5 && out[79 * 3000 + 2999] !== undefined);
  });
});

/** Counts the complex FFTs a spectrogram runs (two frames each). */
function countTransforms(mel: LogMelSpectrogram): { count: number } {
  const counter = { count: 0 };
  const fft = (mel as unknown as { fft: MixedRadixFft }).fft;
  const transform = fft.transform.bind(fft);
  fft.transform = (...args: Parameters<MixedRadixFft['transform']>) => {
    counter.count++;
    transform(...args);
  };
  return counter;
}

const same = (a: Float32Array, b: Float32Array) =>
  a.length === b.length && Buffer.from(a.buffer).equals(Buffer.from(b.buffer));

describe('LogMelSpectrogram with reused frames (interim decodes of a growing segment)', () => {
  it('is bit-identical to a fresh computation for generated growing, equal, shorter and edited audio', () => {
    const rand = seededRandom(1209);
    const source = Float32Array.from(
      { length: 16000 * 31 },
      () => (rand() - 0.5) * (rand() < 0.01 ? 2 : 0.3),
    );
    const mel = new LogMelSpectrogram();
    const cache = new MelFrameCache(64 * 1024 * 1024);
    let length = 0;
    for (let i = 0; i < 40; i++) {
      const step = rand();
      // Mostly growth by up to 1.2 s, as interims see it; sometimes the same, shorter, a jump, or edited audio.
      if (step < 0.6) length += Math.floor(rand() * 19200);
      else if (step < 0.7) length -= Math.floor(rand() * 4000);
      else if (step < 0.8) length = Math.floor(rand() * source.length);
      length = Math.max(0, Math.min(source.length, length));
      let audio = source.subarray(0, length);
      if (step >= 0.9 && length > 0) {
        audio = audio.slice();
        audio[Math.floor(rand() * length)] += 0.25; // same key, other audio: must not reuse past the change
      }
      const fresh = new LogMelSpectrogram().compute(audio);
      const reused = mel.compute(audio, { key: 'segment', cache });
      assert.ok(same(fresh, reused), `case ${i}: ${length} samples`);
    }
  });

  it('transforms only the frames of new audio (plus the pair at the old edge)', () => {
    const rand = seededRandom(7);
    const audio = Float32Array.from({ length: 16000 * 6 }, () => rand() - 0.5);
    const mel = new LogMelSpectrogram();
    const counter = countTransforms(mel);
    const cache = new MelFrameCache(16 * 1024 * 1024);
    mel.compute(audio.subarray(0, 16000 * 5), { key: 'a', cache });
    const cold = counter.count;
    assert.equal(cold, 251); // 501 frames, two per transform
    counter.count = 0;
    mel.compute(audio, { key: 'a', cache });
    // 100 new frames and the few at the old end whose windows reached past it: about 52 transforms, not 301.
    assert.ok(counter.count >= 50 && counter.count <= 55, `${counter.count} transforms`);
    counter.count = 0;
    mel.compute(audio, { key: 'a', cache });
    assert.equal(counter.count, 0); // the final decodes the same audio as the last interim
    mel.compute(audio, { key: 'b', cache });
    assert.equal(counter.count, 301); // another key: nothing to reuse
  });
});

describe('MelFrameCache', () => {
  const entry = (samples: number, frames: number) => ({
    audio: new Float32Array(samples),
    logFrames: new Float64Array(frames * 80),
  });

  it('keeps the most recently used entries within its byte budget', () => {
    const one = 4000 * 4 + 25 * 80 * 8; // 32 KB
    const cache = new MelFrameCache(3 * one);
    for (const key of ['a', 'b', 'c']) cache.set(key, entry(4000, 25));
    assert.ok(cache.get('a')); // a is now the most recent
    cache.set('d', entry(4000, 25));
    assert.equal(cache.get('b'), undefined);
    assert.ok(cache.get('a') && cache.get('c') && cache.get('d'));
    assert.equal(cache.usedBytes, 3 * one);
    cache.set('a', entry(8000, 50)); // replacing an entry counts its new size only
    assert.equal(cache.size, 2);
    assert.ok(cache.usedBytes <= 3 * one);
  });

  it('does not keep an entry larger than the whole budget', () => {
    const cache = new MelFrameCache(1000);
    cache.set('big', entry(4000, 25));
    assert.equal(cache.size, 0);
    assert.equal(cache.usedBytes, 0);
  });
});
