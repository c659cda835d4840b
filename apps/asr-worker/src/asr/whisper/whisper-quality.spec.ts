import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AsrRequest } from '@olt/shared';
import {
  buildTinyWhisperVocab,
  ensureTinyModels,
  generateTinyWhisper,
  readWav,
  speechFixture,
  type TinyWhisperOptions,
} from '@olt/devkit';
import { judgeTranscript } from '../hallucination-guard';
import { loadWhisperEngine, type WhisperEngine } from './threaded-whisper-engine';
import { PROMPT_MAX_TOKENS, promptPrefix, WhisperOnnxEngine } from './whisper-onnx-engine';

const GUARD = {
  noSpeechThreshold: 0.6,
  logprobThreshold: -1,
  vadAgreementMin: 0.5,
  compressionRatioThreshold: 2.4,
  maxNgramRepeats: 4,
};

function sine(hz: number, seconds: number): Float32Array {
  return Float32Array.from(
    { length: Math.round(16000 * seconds) },
    (_, i) => Math.sin((2 * Math.PI * hz * i) / 16000) * 0.5,
  );
}

/**
 * Language ID, the no-speech probability, the hallucination guard, timestamps and prompt conditioning on
 * tiny models whose logits are steered by the generator (TinyWhisperOptions), so each test knows what the
 * right answer is.
 */
describe('Whisper decoding quality features on tiny models with controlled logits', () => {
  const root = mkdtempSync(join(tmpdir(), 'olt-whisper-quality-'));
  const engines: WhisperEngine[] = [];
  let plain: WhisperEngine;
  let speech: Float32Array;
  const clips = () => [speech, sine(300, 1), sine(4000, 2)];

  async function model(name: string, options: TinyWhisperOptions, maxNewTokens?: number) {
    const dir = join(root, name);
    await generateTinyWhisper(dir, { ...options, precisions: ['fp32'] });
    const engine = await loadWhisperEngine(dir, { precision: 'fp32', maxNewTokens });
    engines.push(engine);
    return engine;
  }

  before(async () => {
    plain = await loadWhisperEngine((await ensureTinyModels(root)).whisper, { precision: 'fp32' });
    engines.push(plain);
    speech = readWav(speechFixture('hello.wav').path).samples;
  });
  after(async () => {
    for (const e of engines) await e.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  it('language ID follows a biased language token, with its probability', async () => {
    const es = await model('lang-es', { languageBias: { es: 40 } });
    for (const r of await es.transcribe(clips().map((audio) => ({ audio })))) {
      assert.equal(r.language, 'es');
      assert.ok(r.languageProbability > 0.99, String(r.languageProbability));
    }
    // Without the bias the same audio detects other languages: the bias, not a constant, decided it.
    const detected = (await plain.transcribe(clips().map((audio) => ({ audio })))).map((r) => r.language);
    assert.ok(
      detected.some((l) => l !== 'es'),
      detected.join(','),
    );
  });

  it('reports the no-speech probability: ≈ 0 on the default model, high with a no-speech logit', async () => {
    for (const r of await plain.transcribe(clips().map((audio) => ({ audio, language: 'en' })))) {
      assert.ok(r.noSpeechProbability! < 1e-6, String(r.noSpeechProbability));
    }
    const silent = await model('no-speech', { noSpeechLogit: 10 });
    const results = await silent.transcribe(clips().map((audio) => ({ audio, language: 'en' })));
    for (const r of results) {
      assert.ok(r.noSpeechProbability! > 0.9, String(r.noSpeechProbability));
      assert.ok(r.text.length > 0, 'the model still writes text: the guard must catch it');
      assert.equal(judgeTranscript(r, 0.1, GUARD), 'no_speech', 'VAD heard little speech: dropped');
      assert.equal(judgeTranscript(r, 0.95, GUARD), undefined, 'VAD agrees it is speech: kept');
    }
    // The no-speech token never appears in text even when it is the likeliest token.
    assert.ok(results.every((r) => !r.text.includes('nocaptions')));
  });

  it('a looping decoder is caught as repetition; the default model is not', async () => {
    const loop = await model('loop', { repeatBonus: 1e6 }, 30);
    const results = await loop.transcribe(clips().map((audio) => ({ audio, language: 'en' })));
    for (const r of results) {
      assert.equal(r.tokens.length, 30);
      assert.equal(new Set(r.tokens).size, 1, r.text);
      assert.equal(judgeTranscript(r, 1, GUARD), 'repetition');
    }
    for (const r of await plain.transcribe(clips().map((audio) => ({ audio, language: 'en' })))) {
      assert.equal(judgeTranscript(r, 1, GUARD), undefined, r.text);
    }
  });

  it('timestamps: decoded with timestamp tokens when the model has them, else the clip bounds', async () => {
    const timed = await model('timestamps', { timestampTokens: true });
    const v = buildTinyWhisperVocab({ timestampTokens: true });
    const [withTs, withoutTs] = await timed.transcribe([
      { audio: speech, language: 'en', timestamps: true },
      { audio: speech, language: 'en' },
    ]);
    assert.ok(withTs.segments && withTs.segments.length === 1, JSON.stringify(withTs.segments));
    // The test model's timestamps are all equally (un)likely: the first allowed, <|0.00|>, opens the
    // segment, and no closing timestamp wins, so it runs to the end of the clip (1935 ms).
    assert.deepEqual(withTs.segments[0], { text: withTs.text, startMs: 0, endMs: 1935 });
    assert.ok(
      withTs.tokens.every((t) => t < v.timestampBegin!),
      'no timestamp ids among text tokens',
    );
    assert.equal(withoutTs.segments, undefined);
    assert.match(withoutTs.text, /^[a-z]+( [a-z]+)+$/);
    // A model without timestamp tokens answers with one segment spanning the clip.
    const [r] = await plain.transcribe([{ audio: speech, language: 'en', timestamps: true }]);
    assert.deepEqual(r.segments, [{ text: r.text, startMs: 0, endMs: 1935 }]);
  });

  it('prompt conditioning: the previous text is fed, never returned; batches with mixed prompts match one-at-a-time', async () => {
    const batch: AsrRequest[] = [
      { audio: speech, language: 'en', prompt: 'river stone' },
      { audio: speech, language: 'en' },
      { audio: sine(300, 1), language: 'en', prompt: 'river' },
      { audio: sine(4000, 2), language: 'en', prompt: 'river stone' },
      { audio: sine(300, 1), language: 'en', timestamps: true },
    ];
    const together = await plain.transcribe(batch);
    for (let i = 0; i < batch.length; i++) {
      const [alone] = await plain.transcribe([batch[i]]);
      assert.deepEqual(together[i].tokens, alone.tokens, `row ${i}`);
      assert.equal(together[i].text, alone.text);
    }
    const [unprompted] = await plain.transcribe([{ audio: speech, language: 'en' }]);
    assert.notDeepEqual(together[0].tokens, unprompted.tokens, 'the prompt reached the decoder');
    const v = buildTinyWhisperVocab();
    const promptIds = ['Ġriver', 'Ġstone'].map((t) => v.vocab.get(t)!);
    for (const r of together) {
      assert.ok(!r.text.startsWith('river'), r.text);
      assert.notDeepEqual(r.tokens.slice(0, 2), promptIds);
      assert.ok(!r.tokens.includes(v.startOfPrev));
    }
  });

  it('prompt buckets: prompts of different lengths share one decoder call and match one-at-a-time', async () => {
    const root2 = (await ensureTinyModels(root)).whisper;
    const calls: number[] = [];
    const bucketed = await WhisperOnnxEngine.load(root2, {
      precision: 'fp32',
      promptBuckets: true,
      promptMaxTokens: 64,
      onDecoderCall: (rows) => calls.push(rows),
    });
    const exactCalls: number[] = [];
    const exact = await WhisperOnnxEngine.load(root2, {
      precision: 'fp32',
      onDecoderCall: (rows) => exactCalls.push(rows),
    });
    engines.push(bucketed, exact);
    // 2, 3 and 5 prompt tokens: cut to 2, 2 and 4 with buckets.
    const batch: AsrRequest[] = [
      { audio: speech, language: 'en', prompt: 'river stone' },
      { audio: sine(300, 1), language: 'en', prompt: 'river stone river' },
      { audio: sine(4000, 2), language: 'en', prompt: 'stone river stone river stone' },
      { audio: speech, language: 'en', prompt: 'stone river stone' },
    ];
    const together = await bucketed.transcribe(batch);
    assert.deepEqual(calls.sort(), [1, 3], 'rows of 2 and 3 prompt tokens share a decoder call');
    await exact.transcribe(batch);
    assert.deepEqual(exactCalls.sort(), [1, 1, 2], 'exact lengths: one call per prompt length');
    for (let i = 0; i < batch.length; i++) {
      const [alone] = await bucketed.transcribe([batch[i]]);
      assert.deepEqual(together[i].tokens, alone.tokens, `row ${i}`);
      assert.ok(Math.abs((together[i].avgLogprob ?? 0) - (alone.avgLogprob ?? 0)) < 1e-4, `row ${i} logprob`);
    }
  });

  it('prompt buckets cut a prompt to the largest power of two below prompt_max_tokens', () => {
    const tokens = Array.from({ length: 300 }, (_, i) => i);
    const lengths = [1, 2, 3, 5, 31, 33, 63, 64, 65, 300].map(
      (n) => promptPrefix(tokens.slice(0, n), 9999, { maxTokens: 64, buckets: true }).length - 1,
    );
    assert.deepEqual(lengths, [1, 2, 2, 4, 16, 32, 32, 64, 64, 64]);
    // The most recent tokens are kept.
    assert.deepEqual(promptPrefix([1, 2, 3, 4, 5], 9, { buckets: true }), [9, 2, 3, 4, 5]);
  });

  it('keeps the last 223 prompt tokens after <|startofprev|>', () => {
    const tokens = Array.from({ length: 300 }, (_, i) => i);
    const prefix = promptPrefix(tokens, 9999);
    assert.equal(prefix.length, PROMPT_MAX_TOKENS + 1);
    assert.equal(prefix[0], 9999);
    assert.equal(prefix[1], 300 - PROMPT_MAX_TOKENS);
    assert.equal(prefix.at(-1), 299);
    assert.deepEqual(promptPrefix([], 9999), []);
    assert.deepEqual(promptPrefix([1, 2], undefined), []);
  });
});
