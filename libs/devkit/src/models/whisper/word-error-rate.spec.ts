import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeForWer, werCounts, wordErrorRate } from './word-error-rate';

describe('word error rate', () => {
  it('ignores case and punctuation, keeps apostrophes inside words', () => {
    assert.deepEqual(normalizeForWer("Hello, World! Don't  stop... 'quoted'"), [
      'hello',
      'world',
      "don't",
      'stop',
      'quoted',
    ]);
    assert.equal(wordErrorRate('The quick brown fox.', 'the QUICK brown fox'), 0);
  });

  it('counts substitutions, deletions and insertions', () => {
    assert.deepEqual(werCounts('a b c d', 'a x c d'), { errors: 1, referenceWords: 4 });
    assert.deepEqual(werCounts('a b c d', 'a c d'), { errors: 1, referenceWords: 4 });
    assert.deepEqual(werCounts('a b c d', 'a b y c d z'), { errors: 2, referenceWords: 4 });
    assert.equal(wordErrorRate('hello from the live stream', 'hello from live streams'), 2 / 5);
  });

  it('handles empty texts: nothing said and nothing heard is perfect, anything else is not', () => {
    assert.equal(wordErrorRate('', ''), 0);
    assert.equal(wordErrorRate('one two', ''), 1);
    assert.equal(wordErrorRate('', 'made up'), Infinity);
  });
});
