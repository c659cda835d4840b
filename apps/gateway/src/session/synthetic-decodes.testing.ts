/**
 * Synthetic decode sequences for property tests of the interim policy: what a streaming ASR model does
 * when it re-decodes a growing segment. Seeded, so a failing seed reproduces.
 */

export { seededRandom } from '@olt/devkit/dist/testing';

const VOCABULARY = (
  'the a of to and in is it you that he was for on are with as I his they be at one have this from ' +
  'or had by hot word but what some we can out other were all there when up use your how said an each ' +
  'she which do their time if will way about many then them write would like so these her long make'
).split(' ');

export interface DecodeNoise {
  /** Chance that each of the last (up to 3) heard words comes out as another word. */
  tailError: number;
  /** Chance per decode that an earlier word changes case or gets punctuation (must still agree). */
  cosmetic: number;
  /** Chance per decode that an earlier word is replaced (the model changes its mind). */
  revision: number;
}

export interface SyntheticSegment {
  /** What was said. */
  truth: string[];
  /** Texts of successive decodes of the growing audio; the last one decodes the whole segment. */
  decodes: string[];
  /** The final decode's text (the segment's final transcript). */
  final: string;
}

/** A segment of `words` words decoded `steps` times as its audio grows. */
export function syntheticSegment(
  random: () => number,
  words: number,
  steps: number,
  noise: DecodeNoise,
): SyntheticSegment {
  const pick = () => VOCABULARY[Math.floor(random() * VOCABULARY.length)];
  const truth = Array.from({ length: words }, pick);
  const decodes: string[] = [];
  for (let k = 1; k <= steps; k++) {
    const heard = Math.min(words, Math.round((k / steps) * words + (random() - 0.5) * 2));
    const hyp = truth.slice(0, Math.max(0, heard));
    for (let i = Math.max(0, hyp.length - 3); i < hyp.length; i++)
      if (random() < noise.tailError) hyp[i] = pick();
    if (hyp.length > 1 && random() < noise.cosmetic) {
      const i = Math.floor(random() * (hyp.length - 1));
      hyp[i] = random() < 0.5 ? hyp[i].toUpperCase() : `${hyp[i]},`;
    }
    if (hyp.length > 1 && random() < noise.revision) hyp[Math.floor(random() * (hyp.length - 1))] = pick();
    decodes.push(hyp.join(' '));
  }
  return { truth, decodes, final: truth.join(' ') };
}
