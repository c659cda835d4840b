import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateTinyNllb } from '@olt/devkit';
import {
  AppError,
  type DecoderCacheLayout,
  mergedDecoderLayout,
  type MtEngine,
  type MtRequest,
} from '@olt/shared';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { beamDecodeBatch } from './beam-batch-decoder';
import { greedyDecodeBatch } from './greedy-batch-decoder';
import { readNllbModelConfig } from './nllb-model-config';
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

const ints = (ids: number[]) => new Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]);

describe('beam search on the tiny NLLB export', () => {
  let dir: string;
  let greedy: MtEngine;
  let beam4: MtEngine;
  let tokenizer: NllbTokenizer;
  let encoder: InferenceSession;
  let decoder: InferenceSession;
  let layout: DecoderCacheLayout;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'olt-nllb-beam-'));
    const model = join(dir, 'model');
    await generateTinyNllb(model);
    greedy = await loadNllbEngine(model, CPU);
    beam4 = await loadNllbEngine(model, { ...CPU, beamSize: 4 });
    tokenizer = NllbTokenizer.fromDir(model, 2);
    encoder = await InferenceSession.create(join(model, 'onnx', 'encoder_model.onnx'));
    decoder = await InferenceSession.create(join(model, 'onnx', 'decoder_model_merged.onnx'));
    layout = mergedDecoderLayout(decoder, readNllbModelConfig(model).raw);
  });

  after(async () => {
    await Promise.all([greedy?.dispose(), beam4?.dispose(), encoder?.release(), decoder?.release()]);
    await rm(dir, { recursive: true, force: true });
  });

  /** Encoder output (right-padded with pad id 1) and decoder prefixes, for the decoders called directly. */
  async function prepare(...reqs: MtRequest[]) {
    const sources = reqs.map((r) =>
      tokenizer.encodeSource(r.text, tokenizer.languageId(r.source, 'source'), 1024),
    );
    const width = Math.max(...sources.map((s) => s.length));
    const pad = (row: number[], fill: number) => [...row, ...Array<number>(width - row.length).fill(fill)];
    const tensor = (rows: number[][]) =>
      new Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, width]);
    const mask = tensor(
      sources.map((s) =>
        pad(
          s.map(() => 1),
          0,
        ),
      ),
    );
    const { last_hidden_state } = await encoder.run({
      input_ids: tensor(sources.map((s) => pad(s, 1))),
      attention_mask: mask,
    });
    return {
      encoderHiddenStates: last_hidden_state,
      encoderAttentionMask: mask,
      prefixes: reqs.map((r) => [2, tokenizer.languageId(r.target, 'target')]),
      maxNewTokens: sources.map((s) => 2 * s.length + 10),
      eosId: 2,
    };
  }

  /**
   * Reference score of a finished output: its log-probability recomputed in one decoder run over the whole
   * sequence (no KV cache), divided by (tokens + 1) as transformers' length penalty 1.0 does.
   */
  async function scoreOf(
    session: InferenceSession,
    req: MtRequest,
    tokens: number[],
    endsWithEos: boolean,
  ): Promise<number> {
    const input = await prepare(req);
    const ids = [...input.prefixes[0], ...tokens];
    const past = (heads: number, dim: number) =>
      new Tensor('float32', new Float32Array(0), [1, heads, 0, dim]);
    const feeds: Record<string, Tensor> = {
      input_ids: ints(ids),
      encoder_hidden_states: input.encoderHiddenStates,
      encoder_attention_mask: input.encoderAttentionMask,
      use_cache_branch: new Tensor('bool', [false], [1]),
    };
    for (const name of decoder.inputNames.filter((n) => n.startsWith('past_key_values.'))) {
      feeds[name] = name.includes('.encoder.')
        ? past(layout.encoderHeads, layout.encoderHeadDim)
        : past(layout.decoderHeads, layout.decoderHeadDim);
    }
    const out = await session.run(feeds);
    const vocab = out.logits.dims[2];
    const logits = out.logits.data as Float32Array;
    const targets = endsWithEos ? [...tokens, 2] : tokens;
    let sum = 0;
    targets.forEach((token, i) => {
      // Position 1 (the language token) predicts the first generated token.
      const row = logits.subarray((i + 1) * vocab, (i + 2) * vocab);
      const max = Math.max(...row);
      const lse = max + Math.log(row.reduce((a, v) => a + Math.exp(v - max), 0));
      sum += row[token] - lse;
    });
    return sum / (tokens.length + 1);
  }

  it('beam size 1 is the greedy decoder, byte for byte', async () => {
    const explicit = await loadNllbEngine(join(dir, 'model'), { ...CPU, beamSize: 1 });
    try {
      assert.deepEqual(await explicit.translate(MIXED), await greedy.translate(MIXED));
    } finally {
      await explicit.dispose();
    }
  });

  it('decodes a mixed batch with 4 beams exactly as one request at a time', async () => {
    const batched = await beam4.translate(MIXED);
    for (const [i, req] of MIXED.entries()) {
      const [alone] = await beam4.translate([req]);
      assert.equal(batched[i].text, alone.text, `request ${i}`);
      assert.ok(Math.abs(batched[i].confidence - alone.confidence) < 1e-5, `request ${i} confidence`);
      assert.ok(alone.confidence > 0 && alone.confidence <= 1);
    }
    const reversed = await beam4.translate([...MIXED].reverse());
    assert.deepEqual(
      reversed.map((r) => r.text),
      batched.map((r) => r.text).reverse(),
    );
  });

  it('decodes a mixed batch with 4 beams as one request at a time on a flattened distribution', async () => {
    const flat = flattened(decoder, FLATTEN);
    const batched = await beamDecodeBatch(flat, layout, { ...(await prepare(...MIXED)), beamSize: 4 });
    for (const [i, req] of MIXED.entries()) {
      const alone = await beamDecodeBatch(flat, layout, { ...(await prepare(req)), beamSize: 4 });
      assert.deepEqual(batched.tokens[i], alone.tokens[0], `request ${i}`);
      assert.ok(Math.abs(batched.scores[i] - alone.scores[0]) < 1e-5, `request ${i} score`);
    }
  });

  it('finds a hypothesis scoring at least as well as greedy decoding, by an independent scorer', async () => {
    // The tiny model is so confident (p ≈ 0.98 per token) that beam and greedy agree; flattening its
    // distribution makes the search matter.
    const flat = flattened(decoder, FLATTEN);
    let better = 0;
    for (const req of MIXED) {
      const input = await prepare(req);
      const g = await greedyDecodeBatch(flat, layout, input);
      const b = await beamDecodeBatch(flat, layout, { ...input, beamSize: 4 });
      const greedyScore = await scoreOf(flat, req, g.tokens[0], g.logProbs[0].length > g.tokens[0].length);
      const beamScore = await scoreOf(flat, req, b.tokens[0], b.logProbs[0].length > b.tokens[0].length);
      assert.ok(
        Math.abs(beamScore - b.scores[0]) < 1e-4,
        `decoder's own score ${b.scores[0]} vs ${beamScore}`,
      );
      assert.ok(beamScore >= greedyScore - 1e-6, `"${req.text}": beam ${beamScore} < greedy ${greedyScore}`);
      if (beamScore > greedyScore + 1e-6) better++;
    }
    // Not a law of beam search, but on these inputs the wider search does find better outputs.
    assert.ok(better >= 1, 'beam search should beat greedy on at least one input');
  });

  it('stops at maxNewTokens with 4 beams', async () => {
    for (const cap of [1, 2, 3]) {
      const input = await prepare(MIXED[2]);
      const out = await beamDecodeBatch(decoder, layout, { ...input, maxNewTokens: [cap], beamSize: 4 });
      const [tokens, logProbs] = [out.tokens[0], out.logProbs[0]];
      assert.ok(tokens.length <= cap, `cap ${cap}: ${tokens.length} tokens`);
      // One log-probability per token, plus one for </s> when the hypothesis finished before the cap.
      assert.ok(logProbs.length === tokens.length || logProbs.length === tokens.length + 1);
      if (logProbs.length === tokens.length) assert.equal(tokens.length, cap);
    }
    const capped = await loadNllbEngine(join(dir, 'model'), { ...CPU, beamSize: 4, maxNewTokens: 2 });
    try {
      const results = await capped.translate(MIXED);
      for (const r of results) assert.ok(r.text.split(' ').length <= 2, `"${r.text}"`);
    } finally {
      await capped.dispose();
    }
  });

  it('refuses a beam size outside 1…16 with INVALID_ARGUMENT', async () => {
    for (const beamSize of [0, 17, 2.5]) {
      await assert.rejects(
        loadNllbEngine(join(dir, 'model'), { ...CPU, beamSize }),
        (err: unknown) =>
          err instanceof AppError && err.code === 'INVALID_ARGUMENT' && /beamSize/.test(err.message),
      );
    }
  });
});

/** Logits multiplier of the flattened decoder (a temperature of 1 / FLATTEN). */
const FLATTEN = 0.1;

/**
 * The real decoder session with its logits scaled by `factor`: a test wrapper (not a mock: every run is the
 * real model) giving the tiny model an uncertain distribution, where beam search and greedy differ.
 */
function flattened(session: InferenceSession, factor: number): InferenceSession {
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    inputMetadata: session.inputMetadata,
    outputMetadata: session.outputMetadata,
    run: async (feeds: InferenceSession.FeedsType) => {
      const out = await session.run(feeds);
      const logits = out.logits as Tensor;
      const scaled = Float32Array.from(logits.data as Float32Array, (v) => v * factor);
      return { ...out, logits: new Tensor('float32', scaled, logits.dims) };
    },
  } as unknown as InferenceSession;
}
