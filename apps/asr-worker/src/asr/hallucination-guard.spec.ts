import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compressionRatio,
  type HallucinationGuardSettings,
  judgeTranscript,
  longestNgramRepeat,
} from './hallucination-guard';

const SETTINGS: HallucinationGuardSettings = {
  noSpeechThreshold: 0.6,
  logprobThreshold: -1,
  vadAgreementMin: 0.5,
  compressionRatioThreshold: 2.4,
  maxNgramRepeats: 4,
};

describe('hallucination guard', () => {
  it('compression ratio: ordinary sentences stay under 2.4, loops go far above', () => {
    assert.ok(compressionRatio('The quick brown fox jumps over the lazy dog.') < 2.4);
    assert.ok(compressionRatio('Thank you. '.repeat(20)) > 2.4);
    assert.equal(compressionRatio(''), 0);
  });

  it('finds the longest run of a repeated n-gram', () => {
    assert.equal(longestNgramRepeat([]), 0);
    assert.equal(longestNgramRepeat([1, 2, 3, 4]), 1);
    assert.equal(longestNgramRepeat([5, 5, 5, 1]), 3);
    assert.equal(longestNgramRepeat([9, 1, 2, 1, 2, 1, 2, 1, 2, 7]), 4);
    assert.equal(longestNgramRepeat([1, 2, 3, 1, 2, 3]), 2);
    // n-grams longer than maxN are not looked for
    const long = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    assert.equal(longestNgramRepeat([...long, ...long], 8), 1);
  });

  const ok = { text: 'hello there', tokens: [1, 2], noSpeechProbability: 0.01, avgLogprob: -0.2 };

  it('keeps confident speech', () => {
    assert.equal(judgeTranscript(ok, 0.9, SETTINGS), undefined);
    assert.equal(judgeTranscript(ok, undefined, SETTINGS), undefined);
  });

  it('drops as no_speech only when no-speech is high AND (the VAD disagrees OR the text is unsure)', () => {
    const silent = { ...ok, noSpeechProbability: 0.9 };
    assert.equal(judgeTranscript(silent, 0.1, SETTINGS), 'no_speech');
    assert.equal(judgeTranscript(silent, 0.9, SETTINGS), undefined, 'VAD says speech, model is sure');
    assert.equal(judgeTranscript({ ...silent, avgLogprob: -2 }, 0.9, SETTINGS), 'no_speech');
    assert.equal(judgeTranscript(silent, undefined, SETTINGS), undefined, 'no VAD figure, sure text');
    assert.equal(judgeTranscript({ ...ok, noSpeechProbability: 0.5 }, 0.0, SETTINGS), undefined);
  });

  it('drops loops as repetition, by compression ratio or by n-gram repeats', () => {
    const loop = { ...ok, text: 'the river '.repeat(12).trim(), tokens: Array(24).fill(0) };
    assert.equal(judgeTranscript(loop, 1, SETTINGS), 'repetition');
    const short = { ...ok, text: 'no no no no', tokens: [7, 7, 7, 7] };
    assert.equal(judgeTranscript(short, 1, SETTINGS), 'repetition');
    assert.equal(judgeTranscript({ ...short, tokens: [7, 7, 7] }, 1, SETTINGS), undefined);
  });

  it('never judges empty text', () => {
    assert.equal(judgeTranscript({ ...ok, text: '', noSpeechProbability: 1 }, 0, SETTINGS), undefined);
  });
});
