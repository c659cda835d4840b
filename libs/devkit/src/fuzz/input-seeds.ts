import * as fc from 'fast-check';

/**
 * Each input is generated from (run seed, input index) alone, so one failing input replays on its own
 * (`--seed S --replay http:I`) without regenerating the inputs before it.
 */
export function inputSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) | 0;
}

export function sampleAt<T>(arb: fc.Arbitrary<T>, seed: number, index: number): T {
  return fc.sample(arb, { seed: inputSeed(seed, index), numRuns: 1 })[0]!;
}

/** CI's rotating seed: one per UTC day, so a failure can be replayed all day with the printed seed. */
export function dailySeed(date = new Date()): number {
  return Number(date.toISOString().slice(0, 10).replace(/-/g, ''));
}
