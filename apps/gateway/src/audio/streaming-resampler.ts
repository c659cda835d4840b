import { AppError } from '@olt/shared';

/** Zero crossings of the sinc on each side: sets the transition band width (and the cost per sample). */
const ZERO_CROSSINGS = 16;
/** Cutoff as a fraction of the lower Nyquist frequency; leaves room for the transition band. */
const ROLLOFF = 0.9;
/** Kaiser beta 8.6 ≈ 86 dB stop-band attenuation. */
const KAISER_BETA = 8.6;
/** Rates whose ratio needs more phases than this use the nearest of this many (jitter < 1/2048 sample). */
const MAX_PHASES = 1024;

/** Polyphase windowed-sinc filter bank for one input→output rate pair; shared by all streams. */
interface FilterBank {
  /** Output step in input samples is stepNum/stepDen (reduced fraction in/out). */
  stepNum: number;
  stepDen: number;
  /** Taps per output sample (even); inputs base-half+1 … base+half are used. */
  taps: number;
  half: number;
  phases: number;
  /** phases × taps coefficients; row p is for the fractional position p/phases. */
  coeffs: Float32Array;
}

/**
 * Filter banks by rate pair, least recently used first. Bounded: every integer rate from 8 to 192 kHz is
 * accepted, and a bank costs up to ~1.7 MB, so a client cycling through rates must not grow the process.
 * A stream keeps its own reference, so eviction never disturbs a live stream; it only means the next
 * stream at that rate builds the bank again.
 */
const banks = new Map<string, FilterBank>();
export const MAX_CACHED_FILTER_BANKS = 16;

/** Rate pairs whose filter bank is cached now (for tests and the resampler metric). */
export function cachedFilterBanks(): number {
  return banks.size;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

function filterBank(inputRate: number, outputRate: number): FilterBank {
  const key = `${inputRate}:${outputRate}`;
  const cached = banks.get(key);
  if (cached) {
    banks.delete(key);
    banks.set(key, cached);
    return cached;
  }
  const g = gcd(inputRate, outputRate);
  const stepNum = inputRate / g;
  const stepDen = outputRate / g;
  // Cutoff in cycles per input sample: below the lower of the two Nyquist frequencies (anti-aliasing
  // when downsampling, anti-imaging when upsampling).
  const cutoff = 0.5 * Math.min(1, outputRate / inputRate) * ROLLOFF;
  const halfWidth = ZERO_CROSSINGS / (2 * cutoff);
  const half = Math.ceil(halfWidth);
  const taps = 2 * half;
  const phases = Math.min(stepDen, MAX_PHASES);
  const coeffs = new Float32Array(phases * taps);
  const i0Beta = besselI0(KAISER_BETA);
  for (let p = 0; p < phases; p++) {
    const frac = p / phases;
    let sum = 0;
    for (let j = 0; j < taps; j++) {
      // Distance from the output instant to input sample (base - half + 1 + j).
      const d = frac + half - 1 - j;
      const x = d / halfWidth;
      if (Math.abs(x) >= 1) continue;
      const u = 2 * cutoff * d;
      const sinc = u === 0 ? 1 : Math.sin(Math.PI * u) / (Math.PI * u);
      const w = besselI0(KAISER_BETA * Math.sqrt(1 - x * x)) / i0Beta;
      const h = 2 * cutoff * sinc * w;
      coeffs[p * taps + j] = h;
      sum += h;
    }
    // Unity gain at DC for every phase, so slowly varying signals carry no phase-dependent ripple.
    for (let j = 0; j < taps; j++) coeffs[p * taps + j] /= sum;
  }
  const bank = { stepNum, stepDen, taps, half, phases, coeffs };
  banks.set(key, bank);
  if (banks.size > MAX_CACHED_FILTER_BANKS) banks.delete(banks.keys().next().value!);
  return bank;
}

/**
 * Converts a mono stream from any rate to `outputRate` (16 kHz by default) with a Kaiser-windowed sinc,
 * keeping state across chunks: output sample n is the band-limited value at input time n·in/out, so the
 * output of a signal split into chunks is identical to the output of the whole signal. Exact rational
 * stepping (integers only) means no drift however long the stream runs.
 *
 * push() and flush() return a view into a buffer reused by the next call: consume or copy it first.
 */
export class StreamingResampler {
  private readonly bank: FilterBank | undefined;
  /** Input history; hist[0] is input sample number histStart (negative: the zeros before the stream). */
  private hist = new Float32Array(0);
  private histStart = 0;
  private histLen = 0;
  private inputCount = 0;
  private outputCount = 0;
  /** Position of the next output: input index base + num/stepDen. */
  private base = 0;
  private num = 0;
  private out = new Float32Array(0);
  private finished = false;

  constructor(
    readonly inputRate: number,
    readonly outputRate = 16000,
    /** false = the general loop for every rate (the reference the fast paths are tested and timed against). */
    private readonly fastPaths = true,
  ) {
    if (!Number.isInteger(inputRate) || inputRate <= 0 || !Number.isInteger(outputRate) || outputRate <= 0) {
      throw new AppError(
        'INTERNAL',
        `resampler rates must be positive integers, got ${inputRate} → ${outputRate}`,
      );
    }
    if (inputRate === outputRate) return;
    this.bank = filterBank(inputRate, outputRate);
    // Samples before the stream are silence: start the history with half-1 zeros.
    this.hist = new Float32Array(4096 + this.bank.taps);
    this.histStart = -(this.bank.half - 1);
    this.histLen = this.bank.half - 1;
  }

  get samplesIn(): number {
    return this.inputCount;
  }

  get samplesOut(): number {
    return this.outputCount;
  }

  /** Resamples the next chunk; returns the outputs that are complete so far (a reused view). */
  push(input: Float32Array): Float32Array {
    if (this.finished) throw new AppError('INTERNAL', 'StreamingResampler.push called after flush()');
    if (!this.bank) {
      this.inputCount += input.length;
      this.outputCount += input.length;
      return input;
    }
    this.append(input);
    this.inputCount += input.length;
    return this.produce(this.inputCount);
  }

  /** End of stream: emits the tail (treating what follows as silence) so that out ≈ in·out/in samples. */
  flush(): Float32Array {
    if (this.finished) return this.out.subarray(0, 0);
    this.finished = true;
    if (!this.bank) return new Float32Array(0);
    this.append(new Float32Array(this.bank.half + 1));
    // Outputs whose instant lies inside the input: n·in/out < inputCount.
    const total = Math.ceil((this.inputCount * this.bank.stepDen) / this.bank.stepNum);
    return this.produce(Number.POSITIVE_INFINITY, total);
  }

  private append(input: Float32Array): void {
    const bank = this.bank!;
    // Drop history no future output needs.
    const keepFrom = this.base - bank.half + 1;
    const drop = keepFrom - this.histStart;
    if (drop > 0) {
      this.hist.copyWithin(0, drop, this.histLen);
      this.histLen -= drop;
      this.histStart = keepFrom;
    }
    if (this.histLen + input.length > this.hist.length) {
      const grown = new Float32Array(Math.max(this.hist.length * 2, this.histLen + input.length));
      grown.set(this.hist.subarray(0, this.histLen));
      this.hist = grown;
    }
    this.hist.set(input, this.histLen);
    this.histLen += input.length;
  }

  /** Emits outputs while their last tap is available (base + half < available) and, if given, n < limit. */
  private produce(available: number, limit = Number.POSITIVE_INFINITY): Float32Array {
    const bank = this.bank!;
    // Every phase has its own row (48 kHz, 44.1 kHz and most common rates): the tight loop below.
    if (this.fastPaths && bank.phases === bank.stepDen) return this.produceExact(available, limit);
    return this.produceNearestPhase(available, limit);
  }

  /**
   * Exact rational stepping with one filter row per phase. The number of outputs is known up front, so
   * the loop has no bounds or growth checks; for an integer ratio (48 kHz → 16 kHz: 3:1) the only row is
   * symmetric about its centre, so each pair of taps costs one multiply (half the work).
   */
  private produceExact(available: number, limit: number): Float32Array {
    const { taps, half, coeffs, stepNum, stepDen } = this.bank!;
    const end = Math.min(available, this.histStart + this.histLen);
    // Output i sits at base + (num + i·stepNum)/stepDen; it is ready when that floor is <= end - half - 1.
    const span = end - half - 1 - this.base;
    let count = span < 0 ? 0 : Math.floor(((span + 1) * stepDen - this.num - 1) / stepNum) + 1;
    count = Math.max(0, Math.min(count, limit - this.outputCount));
    if (this.out.length < count) this.out = new Float32Array(Math.max(1024, count, this.out.length * 2));
    const out = this.out;
    const hist = this.hist;
    const histStart = this.histStart;
    let base = this.base;
    let num = this.num;
    if (stepDen === 1) {
      // Row 0: coefficient half-1+k equals half-1-k; the last tap (distance -half) is zero.
      const centre = half - 1;
      for (let o = 0; o < count; o++) {
        const c = base - histStart;
        let acc = hist[c] * coeffs[centre];
        for (let k = 1; k < half; k++) acc += (hist[c - k] + hist[c + k]) * coeffs[centre + k];
        out[o] = acc;
        base += stepNum;
      }
    } else {
      for (let o = 0; o < count; o++) {
        const off = base - half + 1 - histStart;
        const row = num * taps;
        let acc = 0;
        for (let j = 0; j < taps; j++) acc += hist[off + j] * coeffs[row + j];
        out[o] = acc;
        num += stepNum;
        if (num >= stepDen) {
          base += Math.floor(num / stepDen);
          num %= stepDen;
        }
      }
    }
    this.base = base;
    this.num = num;
    this.outputCount += count;
    return out.subarray(0, count);
  }

  /** Rates needing more than MAX_PHASES phases: the nearest phase's row. */
  private produceNearestPhase(available: number, limit: number): Float32Array {
    const { taps, half, phases, coeffs, stepNum, stepDen } = this.bank!;
    const hist = this.hist;
    const histEnd = this.histStart + this.histLen;
    let o = 0;
    while (this.base + half < Math.min(available, histEnd) && this.outputCount < limit) {
      let base = this.base;
      let p = this.num;
      if (phases !== stepDen) {
        p = Math.round((this.num * phases) / stepDen);
        if (p === phases) {
          p = 0;
          base += 1;
          if (base + half >= histEnd) break;
        }
      }
      const off = base - half + 1 - this.histStart;
      const row = p * taps;
      let acc = 0;
      for (let j = 0; j < taps; j++) acc += hist[off + j] * coeffs[row + j];
      if (o === this.out.length) {
        const grown = new Float32Array(Math.max(1024, this.out.length * 2));
        grown.set(this.out);
        this.out = grown;
      }
      this.out[o++] = acc;
      this.outputCount++;
      this.num += stepNum;
      if (this.num >= stepDen) {
        this.base += Math.floor(this.num / stepDen);
        this.num %= stepDen;
      }
    }
    return this.out.subarray(0, o);
  }
}
