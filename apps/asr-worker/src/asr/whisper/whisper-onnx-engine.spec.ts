import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type AppError, type AsrRequest, WHISPER_LANGUAGES } from '@olt/shared';
import { ensureTinyModels, readWav, speechFixture } from '@olt/devkit';
import { loadWhisperEngine, type WhisperEngine } from './threaded-whisper-engine';

const WHISPER_99 = new Set(WHISPER_LANGUAGES.slice(0, 99).map(([code]) => code));
/** The tiny model's text: 3–8 lowercase words (it only lets whole-word tokens win). */
const TINY_TEXT = /^[a-z]+( [a-z]+){2,7}$/;

function sine(hz: number, seconds: number, amplitude = 0.5): Float32Array {
  return Float32Array.from(
    { length: Math.round(16000 * seconds) },
    (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / 16000),
  );
}

function noise(seconds: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: Math.round(16000 * seconds) }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s / 2 ** 32 - 0.5) * 0.6;
  });
}

describe('Whisper engine in an inference thread, on the tiny test model', () => {
  const root = mkdtempSync(join(tmpdir(), 'olt-whisper-engine-'));
  let dir: string;
  let engine: WhisperEngine;
  let speech: Float32Array;

  before(async () => {
    dir = (await ensureTinyModels(root)).whisper;
    engine = await loadWhisperEngine(dir, { precision: 'fp32' });
    speech = readWav(speechFixture('hello.wav').path).samples;
  });
  after(async () => {
    await engine?.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  it('loads with model info from the export (test model, precision, CPU provider)', () => {
    assert.equal(engine.info.isTestModel, true);
    assert.equal(engine.info.precision, 'fp32');
    assert.equal(engine.info.executionProvider, 'cpu');
    assert.equal(engine.info.id, 'whisper-tiny-test@fp32');
    assert.equal(engine.info.path, dir);
    assert.equal(engine.languages.length, 99);
  });

  it('decodes a growing segment with reused features exactly as without (interims, then the final)', async () => {
    const cached = await loadWhisperEngine(dir, {
      precision: 'fp32',
      featureCacheBytes: 8 * 1024 * 1024,
      engineThreads: 0,
    });
    try {
      const audio = new Float32Array(speech.length + 16000);
      audio.set(speech);
      audio.set(noise(1, 3), speech.length);
      for (const end of [8000, 16000, 24000, audio.length, audio.length]) {
        const clip = audio.subarray(0, Math.min(end, audio.length));
        const [plain] = await engine.transcribe([{ audio: clip, language: 'en' }]);
        const [reused] = await cached.transcribe([
          { audio: clip, language: 'en', featureKey: 'tenant/gw/session/segment-1' },
          { audio: sine(300, 0.7), language: 'en', featureKey: 'tenant/gw/session/segment-2' },
        ]);
        assert.deepEqual(reused, plain, `${end} samples`);
      }
    } finally {
      await cached.dispose();
    }
  });

  it('transcribes a tone, noise and speech deterministically, with different words for each', async () => {
    const clips = [sine(440, 1), noise(1.5, 7), speech];
    const first = await engine.transcribe(clips.map((audio) => ({ audio, language: 'en' })));
    const second = await engine.transcribe(clips.map((audio) => ({ audio, language: 'en' })));
    assert.deepEqual(second, first);
    for (const r of first) {
      assert.match(r.text, TINY_TEXT);
      assert.equal(r.tokens.length, r.text.split(' ').length);
      assert.ok(r.confidence > 0 && r.confidence <= 1, `confidence ${r.confidence}`);
      assert.equal(r.language, 'en');
      assert.equal(r.languageProbability, 1);
    }
    assert.equal(new Set(first.map((r) => r.text)).size, 3, first.map((r) => r.text).join(' | '));
  });

  it('detects the language from the audio: a Whisper code and a probability in (0, 1]', async () => {
    const results = await engine.transcribe([
      { audio: sine(200, 1) },
      { audio: sine(3000, 1) },
      { audio: speech },
    ]);
    for (const r of results) {
      assert.ok(WHISPER_99.has(r.language), r.language);
      assert.ok(r.languageProbability > 0 && r.languageProbability <= 1, String(r.languageProbability));
    }
    assert.ok(
      new Set(results.map((r) => r.language)).size > 1,
      'different audio, different detected languages',
    );
  });

  it('batched results equal one-at-a-time results for mixed lengths and languages', async () => {
    const batch: AsrRequest[] = [
      { audio: sine(1000, 2) },
      { audio: speech, language: 'de' },
      { audio: noise(0.4, 3), language: 'ja' },
      { audio: new Float32Array(0) },
      { audio: sine(6000, 5.5) },
      { audio: noise(12, 11), language: 'EN' },
    ];
    const together = await engine.transcribe(batch);
    const alone = [];
    for (const request of batch) alone.push((await engine.transcribe([request]))[0]);
    assert.equal(together.length, batch.length);
    for (let i = 0; i < batch.length; i++) {
      assert.deepEqual(together[i].tokens, alone[i].tokens, `row ${i}`);
      assert.equal(together[i].text, alone[i].text);
      assert.equal(together[i].language, alone[i].language);
      assert.ok(Math.abs(together[i].confidence - alone[i].confidence) < 1e-4);
    }
    assert.equal(together[1].language, 'de');
    assert.equal(together[5].language, 'en');
  });

  it('returns empty text for empty audio without running the model', async () => {
    const [r] = await engine.transcribe([{ audio: new Float32Array(0), language: 'fr' }]);
    assert.deepEqual(r, { text: '', language: 'fr', languageProbability: 1, confidence: 0, tokens: [] });
    assert.deepEqual(await engine.transcribe([]), []);
  });

  it('rejects audio longer than 30 s and unknown languages with INVALID_ARGUMENT', async () => {
    await assert.rejects(
      engine.transcribe([{ audio: new Float32Array(480001) }]),
      (err: AppError) =>
        err.code === 'INVALID_ARGUMENT' && /longer than Whisper's 30 s window/.test(err.message),
    );
    await assert.rejects(
      engine.transcribe([{ audio: sine(440, 1), language: 'xx' }]),
      (err: AppError) => err.code === 'INVALID_ARGUMENT' && err.message.includes('"xx"'),
    );
    const [full] = await engine.transcribe([{ audio: sine(440, 30) }]);
    assert.match(full.text, TINY_TEXT);
  });

  it('gives the same tokens with 1 and 2 intra-op threads', async () => {
    const one = await loadWhisperEngine(dir, { precision: 'fp32', intraOpThreads: 1 });
    const two = await loadWhisperEngine(dir, { precision: 'fp32', intraOpThreads: 2 });
    const clips = [{ audio: speech }, { audio: noise(3, 5) }, { audio: sine(2500, 1) }];
    assert.deepEqual(
      (await one.transcribe(clips)).map((r) => r.tokens),
      (await two.transcribe(clips)).map((r) => r.tokens),
    );
    await one.dispose();
    await two.dispose();
  });

  it('starts intra_op_threads - 1 pool threads per ONNX session in its inference thread', async () => {
    // ORT cannot report its thread counts back, so they are counted: the OS threads of this process.
    const osThreads = () => readdirSync('/proc/self/task').length;
    const threadsWith = async (intraOpThreads: number) => {
      const before = osThreads();
      const loaded = await loadWhisperEngine(dir, {
        precision: 'fp32',
        intraOpThreads,
        allowSpinning: false,
      });
      const added = osThreads() - before;
      await loaded.dispose();
      return added;
    };
    await threadsWith(1); // the first Worker also starts Node's shared helpers
    const one = await threadsWith(1);
    const three = await threadsWith(3);
    // Two sessions (encoder, decoder), each with 2 more intra-op threads; the inference thread itself is in both.
    assert.equal(three - one, 4, `intra 1 added ${one} threads, intra 3 added ${three}`);
  });

  it('honours maxNewTokens', async () => {
    const short = await loadWhisperEngine(dir, { precision: 'fp32', maxNewTokens: 2 });
    const [r] = await short.transcribe([{ audio: speech, language: 'en' }]);
    assert.equal(r.tokens.length, 2);
    await short.dispose();
  });

  it('loads the fp16 and int8 variants; fp16 (float16 tensors in and out) decodes the same words', async () => {
    const fp16 = await loadWhisperEngine(dir, { precision: 'fp16' });
    const int8 = await loadWhisperEngine(dir, { precision: 'int8' });
    assert.equal(fp16.info.precision, 'fp16');
    assert.equal(fp16.info.id, 'whisper-tiny-test@fp16');
    assert.equal(int8.info.precision, 'int8');
    const clips = [
      { audio: speech, language: 'en' },
      { audio: sine(440, 1), language: 'en' },
    ];
    const reference = await engine.transcribe(clips);
    assert.deepEqual(
      (await fp16.transcribe(clips)).map((r) => r.text),
      reference.map((r) => r.text),
    );
    for (const r of await int8.transcribe(clips)) assert.match(r.text, TINY_TEXT);
    await fp16.dispose();
    await int8.dispose();
  });

  it('auto picks the variant present; a missing variant fails with the files that are there', async () => {
    const partial = join(root, 'int8-only');
    mkdirSync(join(partial, 'onnx'), { recursive: true });
    for (const f of readdirSync(dir)) if (f.endsWith('.json')) copyFileSync(join(dir, f), join(partial, f));
    for (const f of ['encoder_model_int8.onnx', 'decoder_model_merged_int8.onnx']) {
      copyFileSync(join(dir, 'onnx', f), join(partial, 'onnx', f));
    }
    const auto = await loadWhisperEngine(partial, { precision: 'auto' });
    assert.equal(auto.info.precision, 'int8');
    await auto.dispose();
    await assert.rejects(
      loadWhisperEngine(partial, { precision: 'fp16' }),
      (err: AppError) =>
        err.code === 'FAILED_PRECONDITION' &&
        err.message.includes('encoder_model_fp16.onnx') &&
        err.message.includes('present: decoder_model_merged_int8.onnx, encoder_model_int8.onnx'),
    );
  });

  it('falls back to CPU when a requested execution provider cannot load', async () => {
    const fallback = await loadWhisperEngine(dir, {
      precision: 'fp32',
      executionProviders: ['cuda', 'cpu'],
    });
    assert.equal(fallback.info.executionProvider, 'cpu');
    await fallback.dispose();
  });
});
