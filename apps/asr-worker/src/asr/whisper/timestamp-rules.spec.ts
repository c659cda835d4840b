import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyTimestampRules, segmentsFromTokens, type TimestampVocab } from './timestamp-rules';

// A toy vocabulary: 0..9 text, 10 = <|endoftext|>, 11.. = timestamps <|0.00|>, <|0.02|>, …
const V: TimestampVocab = { timestampBegin: 11, eot: 10, maxInitialTimestampIndex: 3 };
const SIZE = 11 + 20;
const TS = (i: number) => 11 + i;

function scores(fill: (id: number) => number): Float32Array {
  return Float32Array.from({ length: SIZE }, (_, id) => fill(id));
}
const allowed = (s: Float32Array) => [...s.keys()].filter((i) => s[i] > -Infinity);

describe('Whisper timestamp rules', () => {
  it('starts with a timestamp no later than max_initial_timestamp', () => {
    const s = scores(() => 0);
    applyTimestampRules(s, [], V);
    assert.deepEqual(allowed(s), [TS(0), TS(1), TS(2), TS(3)]);
  });

  it('after an opening timestamp: text or timestamps not earlier than it; pairs close text', () => {
    const s = scores((id) => (id < 10 ? 5 : 0)); // text is far more likely
    applyTimestampRules(s, [TS(2)], V);
    assert.ok(allowed(s).includes(3));
    assert.ok(!allowed(s).includes(TS(2)), 'an opening timestamp is not repeated right away');

    const afterPair = scores(() => 0);
    applyTimestampRules(afterPair, [TS(2), 4, TS(5), TS(5)], V);
    assert.ok(
      allowed(afterPair).every((id) => id <= 10),
      'after a pair: text or <|endoftext|> only',
    );
  });

  it('after text closed by one timestamp: only a timestamp (not earlier) or <|endoftext|>', () => {
    const s = scores((id) => (id === 10 ? 5 : 0)); // <|endoftext|> likely enough not to be overruled
    applyTimestampRules(s, [TS(1), 4, 5, TS(6)], V);
    const ids = allowed(s);
    assert.ok(ids.includes(10));
    assert.ok(ids.includes(TS(6)), 'the closing time may open the next segment');
    assert.ok(!ids.includes(TS(5)) && !ids.includes(4));
  });

  it('forces a timestamp when the timestamps together outweigh the best text token', () => {
    const s = scores((id) => (id === 3 ? 1 : id >= 11 ? 0 : -Infinity)); // 20 timestamps at 0 vs one at 1
    applyTimestampRules(s, [TS(0), 4], V);
    assert.ok(allowed(s).every((id) => id >= 11));
    const t = scores((id) => (id === 3 ? 10 : id >= 11 ? 0 : -Infinity));
    applyTimestampRules(t, [TS(0), 4], V);
    assert.ok(allowed(t).includes(3));
  });

  it('splits tokens into timed segments; an unclosed last segment runs to the end of the audio', () => {
    const decode = (ids: number[]) => ids.map((i) => `w${i}`).join(' ');
    assert.deepEqual(segmentsFromTokens([TS(0), 1, 2, TS(50), TS(50), 3, TS(90)], 11, 3000, decode), [
      { text: 'w1 w2', startMs: 0, endMs: 1000 },
      { text: 'w3', startMs: 1000, endMs: 1800 },
    ]);
    assert.deepEqual(segmentsFromTokens([TS(10), 1, 2], 11, 3000, decode), [
      { text: 'w1 w2', startMs: 200, endMs: 3000 },
    ]);
    assert.deepEqual(segmentsFromTokens([TS(0)], 11, 3000, decode), []);
  });
});
