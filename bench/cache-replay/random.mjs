// Seeded randomness for the trace generator and the Redis-LFU model (reproducible runs): mulberry32, the
// one the tests use.
import { require } from '../lib.mjs';

export const rng = require('@olt/devkit/dist/testing').seededRandom;

/** Zipf(s) sampler over ranks 0..n-1 (precomputed CDF, binary search). */
export function zipf(random, n, s = 1.0) {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cdf[i] = sum += 1 / (i + 1) ** s;
  return () => {
    const u = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

export const pick = (random, items) => items[Math.floor(random() * items.length)];

export function weighted(random, entries) {
  const total = entries.reduce((s, [, w]) => s + w, 0);
  let u = random() * total;
  for (const [value, w] of entries) if ((u -= w) <= 0) return value;
  return entries[entries.length - 1][0];
}

export const exponential = (random, mean) => -Math.log(1 - random()) * mean;
