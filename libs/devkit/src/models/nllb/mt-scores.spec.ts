import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { corpusBleu, corpusChrF, tokenizeForBleu } from './mt-scores';

const close = (actual: number, expected: number) =>
  assert.ok(Math.abs(actual - expected) < 0.01, `${actual} should be ${expected}`);

describe('BLEU and chrF on small known examples', () => {
  it('tokenizes punctuation off words', () => {
    assert.deepEqual(tokenizeForBleu('Hello, world!  Bye.'), ['Hello', ',', 'world', '!', 'Bye', '.']);
  });

  it('BLEU: 100 for identical text, 0 without a 4-gram match, hand-computed values otherwise', () => {
    close(corpusBleu(['the cat sat on the mat'], ['the cat sat on the mat']), 100);
    assert.equal(corpusBleu(['the cat the cat'], ['the cat sat on the mat']), 0);
    // p1..p4 = 6/7, 5/6, 4/5, 3/4 → (3/7)^(1/4); no brevity penalty (longer output).
    close(
      corpusBleu(['the cat sat on the mat today'], ['the cat sat on the mat']),
      100 * Math.pow(3 / 7, 0.25),
    );
    // All precisions 1, output 5 tokens for a 6-token reference: penalty exp(1 − 6/5).
    close(corpusBleu(['the cat sat on the'], ['the cat sat on the mat']), 100 * Math.exp(-0.2));
    // Corpus level: statistics are summed before the mean, not averaged per sentence.
    close(corpusBleu(['the cat sat on the mat', 'a b c d'], ['the cat sat on the mat', 'a b c d']), 100);
  });

  it('chrF: 100 for identical text, 0 for disjoint, hand-computed values otherwise', () => {
    close(corpusChrF(['Hello world'], ['Hello world']), 100);
    close(corpusChrF(['Helloworld'], ['Hello world']), 100); // whitespace is ignored
    assert.equal(corpusChrF(['xyz'], ['abc']), 0);
    // n=1: P=1, R=2/3 → F2 = 5PR/(4P+R) = 10/14; n=2: P=1, R=1/2 → 5/9; n≥3: no output n-grams.
    close(corpusChrF(['ab'], ['abc']), (100 * (10 / 14 + 5 / 9)) / 2);
  });
});
