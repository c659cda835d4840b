/**
 * Word error rate for the model-fidelity check: word-level Levenshtein distance (substitutions, deletions,
 * insertions) over the reference length, after lowercasing and dropping punctuation, so "Hello, world." and
 * "hello world" agree. Apostrophes inside words are kept ("don't" is one word).
 */
export function normalizeForWer(text: string): string[] {
  return text
    .toLowerCase()
    .normalize('NFKC')
    .replace(/[^\p{L}\p{N}\s']/gu, ' ')
    .replace(/(^|\s)'+|'+(?=\s|$)/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
}

export interface WerCounts {
  /** Edits needed to turn the reference into the hypothesis. */
  errors: number;
  /** Words in the reference. */
  referenceWords: number;
}

export function werCounts(reference: string, hypothesis: string): WerCounts {
  const ref = normalizeForWer(reference);
  const hyp = normalizeForWer(hypothesis);
  // One row of the edit-distance table at a time.
  let prev = Array.from({ length: hyp.length + 1 }, (_, j) => j);
  for (let i = 1; i <= ref.length; i++) {
    const row = [i];
    for (let j = 1; j <= hyp.length; j++) {
      const substitution = prev[j - 1] + (ref[i - 1] === hyp[j - 1] ? 0 : 1);
      row.push(Math.min(substitution, prev[j] + 1, row[j - 1] + 1));
    }
    prev = row;
  }
  return { errors: prev[hyp.length], referenceWords: ref.length };
}

/** errors / reference words (can exceed 1 with many insertions); 0 for two empty texts. */
export function wordErrorRate(reference: string, hypothesis: string): number {
  const { errors, referenceWords } = werCounts(reference, hypothesis);
  if (referenceWords === 0) return errors === 0 ? 0 : Infinity;
  return errors / referenceWords;
}
