import assert from 'node:assert/strict';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateTinyNllb } from '@olt/devkit';
import { AppError, type MtEngine, type MtRequest } from '@olt/shared';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { NllbOnnxEngine } from './nllb-onnx-engine';
import { loadNllbEngine } from './threaded-nllb-engine';
import { NllbTokenizer } from './nllb-tokenizer';

const CPU = { precision: 'fp32', executionProviders: ['cpu'] };

const MIXED: MtRequest[] = [
  { text: 'Hello world, how are you?', source: 'eng_Latn', target: 'spa_Latn' },
  { text: 'hi', source: 'eng_Latn', target: 'fra_Latn' },
  {
    text: 'Good morning everyone, welcome back to the stream! Today we play a new game.',
    source: 'eng_Latn',
    target: 'deu_Latn',
  },
  { text: '¿Dónde está la biblioteca?', source: 'spa_Latn', target: 'eng_Latn' },
  { text: 'I think this game is great', source: 'eng_Latn', target: 'zho_Hans' },
  { text: 'Bonjour à tous', source: 'fra_Latn', target: 'jpn_Jpan' },
];

function isAppError(code: string, ...fragments: string[]) {
  return (err: unknown) => {
    assert.ok(err instanceof AppError, `expected AppError, got ${String(err)}`);
    assert.equal(err.code, code);
    for (const f of fragments) assert.ok(err.message.includes(f), `"${err.message}" should mention "${f}"`);
    return true;
  };
}

describe('NLLB engine in an inference thread, on the tiny NLLB export', () => {
  let dir: string;
  let engine: MtEngine;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'olt-nllb-engine-'));
    await generateTinyNllb(join(dir, 'model'));
    engine = await loadNllbEngine(join(dir, 'model'), CPU);
  });

  after(async () => {
    await engine?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('reports what it loaded', () => {
    assert.deepEqual(engine.info, {
      id: 'tiny-nllb-200@fp32',
      path: join(dir, 'model'),
      executionProvider: 'cpu',
      precision: 'fp32',
      isTestModel: true,
    });
    assert.equal(engine.languages.length, 202);
  });

  it('translates to a few words with a confidence in (0, 1], the same on every call and instance', async () => {
    const req = [MIXED[0]];
    const first = await engine.translate(req);
    const again = await engine.translate(req);
    const other = await loadNllbEngine(join(dir, 'model'), CPU);
    try {
      assert.deepEqual(await other.translate(req), first);
    } finally {
      await other.dispose();
    }
    assert.deepEqual(again, first);
    const words = first[0].text.split(' ');
    assert.ok(words.length >= 1 && words.length <= 12, `"${first[0].text}"`);
    assert.ok(
      words.every((w) => /^[a-z]+$/.test(w)),
      `"${first[0].text}" should be plain words`,
    );
    assert.ok(first[0].confidence > 0 && first[0].confidence <= 1);
  });

  it('gives different text for different target languages and for different sources', async () => {
    const text = 'Hello world, how are you?';
    const byTarget = await engine.translate(
      ['spa_Latn', 'fra_Latn', 'deu_Latn', 'zho_Hans'].map((target) => ({
        text,
        source: 'eng_Latn',
        target,
      })),
    );
    assert.equal(new Set(byTarget.map((r) => r.text)).size, 4, JSON.stringify(byTarget));
    const bySource = await engine.translate(
      ['hello', 'good night', 'The quick brown fox'].map((t) => ({
        text: t,
        source: 'eng_Latn',
        target: 'spa_Latn',
      })),
    );
    assert.equal(new Set(bySource.map((r) => r.text)).size, 3, JSON.stringify(bySource));
  });

  it('decodes a mixed batch (pairs, lengths) exactly as one request at a time', async () => {
    const batched = await engine.translate(MIXED);
    for (const [i, req] of MIXED.entries()) {
      const [alone] = await engine.translate([req]);
      assert.equal(batched[i].text, alone.text, `request ${i}`);
      // Same tokens; the probabilities may differ in the last float bits (other matrix shapes).
      assert.ok(Math.abs(batched[i].confidence - alone.confidence) < 1e-5, `request ${i} confidence`);
    }
    const reversed = await engine.translate([...MIXED].reverse());
    assert.deepEqual(
      reversed.map((r) => r.text),
      batched.map((r) => r.text).reverse(),
    );
  });

  it('is not changed by padding: a short source next to a long one decodes as alone', async () => {
    const short: MtRequest = { text: 'hi', source: 'eng_Latn', target: 'ita_Latn' };
    const long: MtRequest = { text: 'word '.repeat(60).trim(), source: 'eng_Latn', target: 'ita_Latn' };
    const [alone] = await engine.translate([short]);
    const [padded] = await engine.translate([short, long]);
    assert.equal(padded.text, alone.text);
  });

  it('matches decoding without the KV cache (the full prefix recomputed every step)', async () => {
    for (const req of MIXED.slice(0, 3)) {
      const [viaEngine] = await engine.translate([req]);
      assert.equal(viaEngine.text, await decodeWithoutCache(join(dir, 'model'), req));
    }
  });

  it('stops after maxNewTokens tokens', async () => {
    const [full] = await engine.translate([MIXED[2]]);
    const capped = await loadNllbEngine(join(dir, 'model'), { ...CPU, maxNewTokens: 2 });
    try {
      const [short] = await capped.translate([MIXED[2]]);
      assert.ok(full.text.split(' ').length > 2, 'the uncapped output should be longer than the cap');
      assert.equal(short.text, full.text.split(' ').slice(0, 2).join(' '));
    } finally {
      await capped.dispose();
    }
  });

  it('returns empty results for empty text without running the model', async () => {
    const empty = [
      { text: '', source: 'eng_Latn', target: 'spa_Latn' },
      { text: '  \n', source: 'eng_Latn', target: 'fra_Latn' },
    ];
    assert.deepEqual(await engine.translate(empty), [
      { text: '', confidence: 1 },
      { text: '', confidence: 1 },
    ]);
    // The proof that the model is skipped needs its sessions released under a live engine, which only
    // the engine object itself allows (a closed thread pool refuses every call): so this part runs here.
    const disposed = await NllbOnnxEngine.load(join(dir, 'model'), CPU);
    await disposed.dispose();
    // A released session cannot run, so only a path that skips the model can answer.
    const results = await disposed.translate([
      { text: '', source: 'eng_Latn', target: 'spa_Latn' },
      { text: '  \n', source: 'eng_Latn', target: 'fra_Latn' },
    ]);
    assert.deepEqual(results, [
      { text: '', confidence: 1 },
      { text: '', confidence: 1 },
    ]);
    await assert.rejects(disposed.translate([MIXED[0]]));
  });

  it('rejects an unknown language code with INVALID_ARGUMENT naming it', async () => {
    await assert.rejects(
      engine.translate([MIXED[0], { text: 'hi', source: 'eng_Latn', target: 'xyz_Latn' }]),
      isAppError('INVALID_ARGUMENT', '"xyz_Latn"', 'target'),
    );
    await assert.rejects(
      engine.translate([{ text: 'hi', source: 'es', target: 'eng_Latn' }]),
      isAppError('INVALID_ARGUMENT', '"es"', 'source', 'spa_Latn'),
    );
    await assert.rejects(
      engine.translate([{ text: '', source: 'eng_Latn', target: '</s>' }]),
      isAppError('INVALID_ARGUMENT', '"</s>"'),
    );
  });

  it('fails to load with FAILED_PRECONDITION naming the missing model file', async () => {
    const broken = join(dir, 'broken');
    await cp(join(dir, 'model'), broken, { recursive: true });
    await rm(join(broken, 'onnx', 'decoder_model_merged.onnx'));
    await assert.rejects(
      loadNllbEngine(broken, CPU),
      isAppError('FAILED_PRECONDITION', 'decoder_model_merged.onnx', 'encoder_model.onnx'),
    );
    await assert.rejects(
      loadNllbEngine(join(dir, 'model'), { ...CPU, precision: 'int8' }),
      isAppError('FAILED_PRECONDITION', 'encoder_model_int8.onnx'),
    );
    await rm(join(broken, 'tokenizer.json'));
    await assert.rejects(loadNllbEngine(broken, CPU), isAppError('FAILED_PRECONDITION', 'tokenizer.json'));
  });
});

/** Reference greedy decoding that feeds the whole prefix every step with use_cache_branch = false. */
async function decodeWithoutCache(dir: string, req: MtRequest): Promise<string> {
  const tokenizer = NllbTokenizer.fromDir(dir, 2);
  const encoder = await InferenceSession.create(join(dir, 'onnx', 'encoder_model.onnx'));
  const decoder = await InferenceSession.create(join(dir, 'onnx', 'decoder_model_merged.onnx'));
  try {
    const source = tokenizer.encodeSource(req.text, tokenizer.languageId(req.source, 'source'), 1024);
    const ints = (ids: number[]) => new Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]);
    const mask = ints(source.map(() => 1));
    const { last_hidden_state } = await encoder.run({ input_ids: ints(source), attention_mask: mask });
    const emptyPast = Object.fromEntries(
      decoder.inputNames
        .filter((n) => n.startsWith('past_key_values.'))
        .map((n) => [n, new Tensor('float32', new Float32Array(0), [1, 4, 0, 16])]),
    );
    const prefix = [2, tokenizer.languageId(req.target, 'target')];
    const generated: number[] = [];
    for (let step = 0; step < 2 * source.length + 10; step++) {
      const ids = [...prefix, ...generated];
      const out = await decoder.run({
        ...emptyPast,
        input_ids: ints(ids),
        encoder_hidden_states: last_hidden_state,
        encoder_attention_mask: mask,
        use_cache_branch: new Tensor('bool', [false], [1]),
      });
      const logits = out.logits.data as Float32Array;
      const vocab = out.logits.dims[2];
      const last = logits.subarray((ids.length - 1) * vocab, ids.length * vocab);
      const next = last.indexOf(Math.max(...last));
      if (next === 2) break;
      generated.push(next);
    }
    return tokenizer.decode(generated);
  } finally {
    await Promise.all([encoder.release(), decoder.release()]);
  }
}
