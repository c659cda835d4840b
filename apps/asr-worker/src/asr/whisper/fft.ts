/**
 * Complex FFT for any size whose factors are small (Whisper's n_fft = 400 = 4·4·5·5): recursive
 * decimation in time with a precomputed plan, O(n · Σ factors). Plans are reused across frames.
 */
export class MixedRadixFft {
  private readonly factors: number[] = [];
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly scratchRe: Float64Array;
  private readonly scratchIm: Float64Array;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1)
      throw new Error(`FFT size must be a positive integer, got ${size}`);
    let n = size;
    for (const p of [4, 2, 3, 5]) {
      while (n % p === 0) {
        this.factors.push(p);
        n /= p;
      }
    }
    for (let p = 7; n > 1; p += 2) {
      while (n % p === 0) {
        this.factors.push(p);
        n /= p;
      }
    }
    this.cos = new Float64Array(size);
    this.sin = new Float64Array(size);
    for (let j = 0; j < size; j++) {
      this.cos[j] = Math.cos((2 * Math.PI * j) / size);
      this.sin[j] = -Math.sin((2 * Math.PI * j) / size);
    }
    this.scratchRe = new Float64Array(size);
    this.scratchIm = new Float64Array(size);
  }

  /** out = DFT(in): X[k] = Σ x[j]·e^(-2πi jk/n). Inputs are not modified. */
  transform(
    inRe: ArrayLike<number>,
    inIm: ArrayLike<number>,
    outRe: Float64Array,
    outIm: Float64Array,
  ): void {
    this.recurse(inRe, inIm, 0, 1, this.size, outRe, outIm, 0, 0);
  }

  private recurse(
    inRe: ArrayLike<number>,
    inIm: ArrayLike<number>,
    offset: number,
    stride: number,
    n: number,
    outRe: Float64Array,
    outIm: Float64Array,
    outOffset: number,
    level: number,
  ): void {
    if (n === 1) {
      outRe[outOffset] = inRe[offset];
      outIm[outOffset] = inIm[offset];
      return;
    }
    const p = this.factors[level];
    const m = n / p;
    // Sub-transforms of the p interleaved subsequences land in consecutive blocks of m.
    for (let r = 0; r < p; r++) {
      this.recurse(
        inRe,
        inIm,
        offset + r * stride,
        stride * p,
        m,
        outRe,
        outIm,
        outOffset + r * m,
        level + 1,
      );
    }
    // Butterflies: X[k + q·m] = Σ_r W_n^(r·(k + q·m)) · Y_r[k], with W_n^j = table[j · size/n mod size].
    const step = this.size / n;
    const { cos, sin, scratchRe, scratchIm, size } = this;
    for (let k = 0; k < m; k++) {
      for (let q = 0; q < p; q++) {
        const idx = k + q * m;
        let re = 0;
        let im = 0;
        for (let r = 0; r < p; r++) {
          const t = (r * idx * step) % size;
          const yr = outRe[outOffset + r * m + k];
          const yi = outIm[outOffset + r * m + k];
          re += yr * cos[t] - yi * sin[t];
          im += yr * sin[t] + yi * cos[t];
        }
        scratchRe[idx] = re;
        scratchIm[idx] = im;
      }
    }
    for (let i = 0; i < n; i++) {
      outRe[outOffset + i] = scratchRe[i];
      outIm[outOffset + i] = scratchIm[i];
    }
  }
}
