/**
 * Corpus-level BLEU and chrF for the MT fidelity script, written after sacreBLEU's definitions so the
 * numbers are comparable in kind (not bit-exact: sacreBLEU's 13a tokenizer has more rules).
 */

/** sacreBLEU-13a-like tokenization: punctuation split off, whitespace collapsed. */
export function tokenizeForBleu(text: string): string[] {
  return text
    .normalize('NFC')
    .replace(/([\p{P}\p{S}])/gu, ' $1 ')
    .trim()
    .split(/\s+/u)
    .filter(Boolean);
}

function ngrams<T>(
  items: readonly T[],
  n: number,
  key: (slice: readonly T[]) => string,
): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i + n <= items.length; i++) {
    const k = key(items.slice(i, i + n));
    out.set(k, (out.get(k) ?? 0) + 1);
  }
  return out;
}

function clippedMatches(hyp: Map<string, number>, ref: Map<string, number>): number {
  let m = 0;
  for (const [k, c] of hyp) m += Math.min(c, ref.get(k) ?? 0);
  return m;
}

const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

/**
 * Corpus BLEU (0–100) with one reference per sentence: clipped n-gram precisions for n = 1..4 summed
 * over the corpus, geometric mean, brevity penalty exp(1 − ref/hyp) when the output is shorter. No
 * smoothing: any order without a match gives 0, as sacreBLEU's default.
 */
export function corpusBleu(hypotheses: readonly string[], references: readonly string[]): number {
  if (hypotheses.length !== references.length) throw new Error('one reference per hypothesis');
  const matches = [0, 0, 0, 0];
  const counts = [0, 0, 0, 0];
  let hypLen = 0;
  let refLen = 0;
  hypotheses.forEach((h, i) => {
    const hyp = tokenizeForBleu(h);
    const ref = tokenizeForBleu(references[i]);
    hypLen += hyp.length;
    refLen += ref.length;
    for (let n = 1; n <= 4; n++) {
      const hg = ngrams(hyp, n, (s) => s.join(' '));
      matches[n - 1] += clippedMatches(
        hg,
        ngrams(ref, n, (s) => s.join(' ')),
      );
      counts[n - 1] += total(hg);
    }
  });
  if (hypLen === 0 || matches.some((m) => m === 0)) return 0;
  const logPrecision = matches.reduce((sum, m, i) => sum + Math.log(m / counts[i]), 0) / 4;
  const brevity = hypLen < refLen ? Math.exp(1 - refLen / hypLen) : 1;
  return 100 * brevity * Math.exp(logPrecision);
}

/**
 * Corpus chrF (0–100), sacreBLEU's chrF2 defaults: character n-grams n = 1..6 with whitespace removed,
 * statistics summed over the corpus, F-beta with beta = 2 (recall weighs more) per order, averaged over
 * the orders where both sides have n-grams.
 */
export function corpusChrF(
  hypotheses: readonly string[],
  references: readonly string[],
  maxOrder = 6,
  beta = 2,
): number {
  if (hypotheses.length !== references.length) throw new Error('one reference per hypothesis');
  const matches = new Array<number>(maxOrder).fill(0);
  const hypCounts = new Array<number>(maxOrder).fill(0);
  const refCounts = new Array<number>(maxOrder).fill(0);
  hypotheses.forEach((h, i) => {
    const hyp = [...h.normalize('NFC').replace(/\s+/gu, '')];
    const ref = [...references[i].normalize('NFC').replace(/\s+/gu, '')];
    for (let n = 1; n <= maxOrder; n++) {
      const hg = ngrams(hyp, n, (s) => s.join(''));
      const rg = ngrams(ref, n, (s) => s.join(''));
      matches[n - 1] += clippedMatches(hg, rg);
      hypCounts[n - 1] += total(hg);
      refCounts[n - 1] += total(rg);
    }
  });
  let sum = 0;
  let orders = 0;
  for (let n = 0; n < maxOrder; n++) {
    if (hypCounts[n] === 0 || refCounts[n] === 0) continue;
    orders++;
    const p = matches[n] / hypCounts[n];
    const r = matches[n] / refCounts[n];
    const b2 = beta * beta;
    sum += p + r > 0 ? ((1 + b2) * p * r) / (b2 * p + r) : 0;
  }
  return orders ? (100 * sum) / orders : 0;
}
