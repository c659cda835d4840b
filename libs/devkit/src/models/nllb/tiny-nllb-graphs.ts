import { encodeModel, GraphBuilder, onnxDataType, SeededRandom } from '../onnx-graph';

/**
 * The two ONNX graphs of a tiny NLLB (M2M100) export, with the exact input/output names and layouts of
 * Xenova/onnx-community's nllb-200-distilled-600M: encoder_model.onnx and decoder_model_merged.onnx
 * (an If on use_cache_branch picks between the KV cache and a fresh computation).
 *
 * The weights are seeded random, except the output head, which is built so that greedy decoding is
 * stable across machines: an (almost) hard choice among whole-word pieces and </s> adds a bonus of
 * `WINNER_BONUS` to the chosen logit, so the top-2 gap stays far above float noise. </s> gets a bias that
 * grows with the decoder position, so every output ends after a few words.
 */

export interface TinyNllbDims {
  vocabSize: number;
  dModel: number;
  heads: number;
  encoderLayers: number;
  decoderLayers: number;
  /** Token ids the head may emit, besides </s>. */
  wordIds: number[];
  eosId: number;
}

const WINNER_BONUS = 6;
const HASH_SCALE = 0.9;
/** Softmax sharpness of the word choice: z gaps above ~1/CHOICE_SHARPNESS already give a clear winner. */
const CHOICE_SHARPNESS = 1000;
const EOS_BIAS = -6;
const EOS_GROWTH_PER_POSITION = 1.5;
const MASKED = -1e9;
const FLOAT = onnxDataType('float32');

/** `n` seeded weights uniform in [-scale, scale) (integer PRNG + exact scaling: the same bytes on any host). */
function uniforms(rng: SeededRandom, n: number, scale: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.uniform(scale);
  return out;
}

const scalar = (g: GraphBuilder, name: string, value: number) => g.floats(name, [value], []);
const intScalar = (g: GraphBuilder, name: string, value: number) => g.ints(name, [value], []);

/** Sinusoidal positions [len, d] for int64 positions [len] (no weights, any length). */
function sinusoid(g: GraphBuilder, positions: string, d: number, name: string): string {
  const half = d / 2;
  // Harmonic frequencies 1, 1/2, 1/3, …: a correctly rounded division, so the bytes never depend on Math.pow.
  const freq = Array.from({ length: half }, (_, i) => 1 / (i + 1));
  const p = g.op('Unsqueeze', [g.op('Cast', [positions], { to: FLOAT }), g.ints(`${name}_ax1`, [1])]);
  const angles = g.op('Mul', [p, g.initializer(`${name}_freq`, Float32Array.from(freq), [1, half])]);
  const both = g.op('Concat', [g.op('Sin', [angles]), g.op('Cos', [angles])], { axis: 1 });
  return g.op('Mul', [both, scalar(g, `${name}_scale`, 0.5)]);
}

/** Dim `axis` of `x` as an int64 scalar. */
function dimOf(g: GraphBuilder, x: string, axis: number, name: string): string {
  return g.op('Gather', [g.op('Shape', [x]), intScalar(g, `${name}_axis`, axis)], { axis: 0 });
}

class Layers {
  constructor(
    private readonly g: GraphBuilder,
    private readonly rng: SeededRandom,
    private readonly d: number,
    private readonly heads: number,
  ) {}

  /** x · W with W uniform in ±1.7·scale/√d: about unit-size outputs for unit-size inputs at scale 1. */
  linear(x: string, name: string, scale = 1): string {
    const w = this.g.initializer(
      name,
      uniforms(this.rng, this.d * this.d, (scale * 1.7) / Math.sqrt(this.d)),
      [this.d, this.d],
    );
    return this.g.op('MatMul', [x, w]);
  }

  /** [b, s, d] → [b, heads, s, head_dim] */
  splitHeads(x: string, name: string, g = this.g): string {
    const shape = g.ints(`${name}_shape`, [0, 0, this.heads, this.d / this.heads]);
    return g.op('Transpose', [g.op('Reshape', [x, shape])], { perm: [0, 2, 1, 3] });
  }

  mergeHeads(x: string, name: string): string {
    const t = this.g.op('Transpose', [x], { perm: [0, 2, 1, 3] });
    return this.g.op('Reshape', [t, this.g.ints(`${name}_shape`, [0, 0, this.d])]);
  }

  /** Scaled dot-product attention with an additive bias broadcastable to [b, h, q, k]. */
  attend(q: string, k: string, v: string, bias: string, name: string): string {
    const g = this.g;
    const kT = g.op('Transpose', [k], { perm: [0, 1, 3, 2] });
    const scores = g.op('Mul', [
      g.op('MatMul', [q, kT]),
      scalar(g, `${name}_scale`, 1 / Math.sqrt(this.d / this.heads)),
    ]);
    const probs = g.op('Softmax', [g.op('Add', [scores, bias])], { axis: -1 });
    return g.op('MatMul', [probs, v]);
  }

  /** [b, s] int64 mask (1 = token) → additive bias [b, 1, 1, s]. */
  maskBias(mask: string, name: string): string {
    const g = this.g;
    const keep = g.op('Cast', [mask], { to: FLOAT });
    const bias = g.op('Mul', [
      g.op('Sub', [scalar(g, `${name}_one`, 1), keep]),
      scalar(g, `${name}_neg`, MASKED),
    ]);
    return g.op('Unsqueeze', [bias, g.ints(`${name}_axes`, [1, 2])]);
  }

  feedForward(x: string, name: string): string {
    return this.g.op('Add', [x, this.g.op('Tanh', [this.linear(x, name)])]);
  }
}

export function buildTinyNllbEncoder(dims: TinyNllbDims, seed: number): Uint8Array {
  const { dModel: d, vocabSize: v } = dims;
  const rng = new SeededRandom(seed);
  const g = new GraphBuilder('tiny_nllb_encoder');
  const L = new Layers(g, rng, d, dims.heads);
  const ids = g.input('input_ids', 'int64', ['batch_size', 'encoder_sequence_length']);
  const mask = g.input('attention_mask', 'int64', ['batch_size', 'encoder_sequence_length']);

  const embed = g.initializer('embed_tokens', uniforms(rng, v * d, 1), [v, d]);
  const seqLen = dimOf(g, ids, 1, 'seq_len');
  const positions = g.op('Range', [intScalar(g, 'zero', 0), seqLen, intScalar(g, 'one', 1)]);
  let x = g.op('Add', [g.op('Gather', [embed, ids], { axis: 0 }), sinusoid(g, positions, d, 'enc_pos')]);
  const bias = L.maskBias(mask, 'enc_mask');

  for (let i = 0; i < dims.encoderLayers; i++) {
    const n = `enc${i}`;
    const q = L.splitHeads(L.linear(x, `${n}_q`, 3), `${n}_q`);
    const k = L.splitHeads(L.linear(x, `${n}_k`), `${n}_k`);
    const val = L.splitHeads(L.linear(x, `${n}_v`), `${n}_v`);
    const attn = L.linear(L.mergeHeads(L.attend(q, k, val, bias, n), `${n}_o`), `${n}_out`);
    x = L.feedForward(g.op('Add', [x, attn]), `${n}_ffn`);
  }
  const out = g.op('Tanh', [x]);
  g.output('last_hidden_state', 'float32', ['batch_size', 'encoder_sequence_length', d], out);
  return encodeModel(g, { docString: 'tiny deterministic NLLB encoder for tests (olt devkit)' });
}

export function buildTinyNllbDecoder(dims: TinyNllbDims, seed: number): Uint8Array {
  const { dModel: d, vocabSize: v, heads, decoderLayers } = dims;
  const headDim = d / heads;
  const rng = new SeededRandom(seed);
  const g = new GraphBuilder('tiny_nllb_decoder_merged');
  const L = new Layers(g, rng, d, heads);
  const kvDims = (seq: string) => ['batch_size', heads, seq, headDim];

  const encMask = g.input('encoder_attention_mask', 'int64', ['batch_size', 'encoder_sequence_length']);
  const ids = g.input('input_ids', 'int64', ['batch_size', 'decoder_sequence_length']);
  const encStates = g.input('encoder_hidden_states', 'float32', ['batch_size', 'encoder_sequence_length', d]);
  const past: Record<string, string>[] = [];
  for (let i = 0; i < decoderLayers; i++) {
    const layer: Record<string, string> = {};
    for (const part of ['decoder', 'encoder'])
      for (const kv of ['key', 'value']) {
        const seq = part === 'decoder' ? 'past_decoder_sequence_length' : 'encoder_sequence_length_out';
        layer[`${part}.${kv}`] = g.input(`past_key_values.${i}.${part}.${kv}`, 'float32', kvDims(seq));
      }
    past.push(layer);
  }
  const useCache = g.input('use_cache_branch', 'bool', [1]);

  // Weights first: the If branches read the cross-attention projections from the outer scope.
  const crossK: string[] = [];
  const crossV: string[] = [];
  const scale = 1.7 / Math.sqrt(d);
  for (let i = 0; i < decoderLayers; i++) {
    crossK.push(g.initializer(`dec${i}_cross_k`, uniforms(rng, d * d, scale), [d, d]));
    crossV.push(g.initializer(`dec${i}_cross_v`, uniforms(rng, d * d, scale), [d, d]));
  }

  // use_cache_branch = true: reuse the past decoder and encoder keys/values. false: ignore the past inputs
  // (empty decoder past) and project the encoder states, as the real merged export does.
  const withCache = g.subgraph('with_cache');
  const fresh = g.subgraph('fresh');
  const branchOutputs: string[] = [];
  for (let i = 0; i < decoderLayers; i++) {
    for (const kv of ['key', 'value']) {
      const name = `past_dec_${i}_${kv}`;
      const pastValue = past[i][`decoder.${kv}`];
      withCache.output(`${name}_cached`, 'float32', kvDims('past'), withCache.op('Identity', [pastValue]));
      const empty = fresh.op('Slice', [
        pastValue,
        fresh.ints(`${name}_s`, [0]),
        fresh.ints(`${name}_e`, [0]),
        fresh.ints(`${name}_a`, [2]),
      ]);
      fresh.output(`${name}_fresh`, 'float32', kvDims('past'), empty);
      branchOutputs.push(name);
    }
    for (const kv of ['key', 'value']) {
      const name = `enc_${i}_${kv}`;
      const cached = withCache.op('Identity', [past[i][`encoder.${kv}`]]);
      withCache.output(`${name}_cached`, 'float32', kvDims('enc'), cached);
      const projected = fresh.op('MatMul', [encStates, kv === 'key' ? crossK[i] : crossV[i]]);
      fresh.output(
        `${name}_fresh`,
        'float32',
        kvDims('enc'),
        L.splitHeads(projected, `${name}_split`, fresh),
      );
      branchOutputs.push(name);
    }
  }
  const selected = g.node('If', [useCache], branchOutputs.length, {
    then_branch: withCache,
    else_branch: fresh,
  });
  const pick = (name: string) => selected[branchOutputs.indexOf(name)];

  // Positions continue after the cached tokens; a causal bias hides later tokens of this call.
  const pastLen = dimOf(g, pick('past_dec_0_key'), 2, 'past_len');
  const total = g.op('Add', [pastLen, dimOf(g, ids, 1, 'new_len')]);
  const one = intScalar(g, 'one', 1);
  const qPos = g.op('Range', [pastLen, total, one]);
  const kPos = g.op('Range', [intScalar(g, 'zero', 0), total, one]);
  const later = g.op('Greater', [
    g.op('Unsqueeze', [kPos, g.ints('k_axes', [0])]),
    g.op('Unsqueeze', [qPos, g.ints('q_axes', [1])]),
  ]);
  const causal = g.op('Where', [later, scalar(g, 'masked', MASKED), scalar(g, 'visible', 0)]);
  const crossBias = L.maskBias(encMask, 'cross_mask');

  const embed = g.initializer('embed_tokens', uniforms(rng, v * d, 1), [v, d]);
  let x = g.op('Add', [g.op('Gather', [embed, ids], { axis: 0 }), sinusoid(g, qPos, d, 'dec_pos')]);
  for (let i = 0; i < decoderLayers; i++) {
    const n = `dec${i}`;
    const q = L.splitHeads(L.linear(x, `${n}_self_q`, 3), `${n}_self_q`);
    const k = g.op(
      'Concat',
      [pick(`past_dec_${i}_key`), L.splitHeads(L.linear(x, `${n}_self_k`), `${n}_self_k`)],
      { axis: 2 },
    );
    const val = g.op(
      'Concat',
      [pick(`past_dec_${i}_value`), L.splitHeads(L.linear(x, `${n}_self_v`), `${n}_self_v`)],
      { axis: 2 },
    );
    g.output(`present.${i}.decoder.key`, 'float32', kvDims('present_decoder_sequence_length'), k);
    g.output(`present.${i}.decoder.value`, 'float32', kvDims('present_decoder_sequence_length'), val);
    const selfAttn = L.linear(
      L.mergeHeads(L.attend(q, k, val, causal, `${n}_self`), `${n}_self_o`),
      `${n}_self_out`,
    );
    x = g.op('Add', [x, selfAttn]);

    const encK = pick(`enc_${i}_key`);
    const encV = pick(`enc_${i}_value`);
    g.output(`present.${i}.encoder.key`, 'float32', kvDims('encoder_sequence_length_out'), encK);
    g.output(`present.${i}.encoder.value`, 'float32', kvDims('encoder_sequence_length_out'), encV);
    const cq = L.splitHeads(L.linear(x, `${n}_cross_q`, 3), `${n}_cross_q`);
    const cross = L.linear(
      L.mergeHeads(L.attend(cq, encK, encV, crossBias, `${n}_cross`), `${n}_cross_o`),
      `${n}_cross_out`,
      2,
    );
    x = L.feedForward(g.op('Add', [x, cross]), `${n}_ffn`);
  }

  const logits = outputHead(g, rng, x, qPos, dims);
  g.output('logits', 'float32', ['batch_size', 'decoder_sequence_length', v], logits);
  return encodeModel(g, { docString: 'tiny deterministic NLLB merged decoder for tests (olt devkit)' });
}

/**
 * logits = (WINNER_BONUS · softmax(CHOICE_SHARPNESS · z) + z) · M + base, where z scores the candidate
 * words (a projection of the hidden state) and </s> (its bias grows with the position), M maps each
 * candidate to its token id, and base keeps every other token far below.
 */
function outputHead(
  g: GraphBuilder,
  rng: SeededRandom,
  x: string,
  positions: string,
  dims: TinyNllbDims,
): string {
  const { dModel: d, vocabSize: v, wordIds, eosId } = dims;
  const words = wordIds.length;
  // A sine of a wide projection scatters nearby hidden states to unrelated word scores (a hash), so
  // each source, target and prefix picks its own words instead of a few favourites.
  const hashed = g.op('Sin', [
    g.op('MatMul', [x, g.initializer('head_hash', uniforms(rng, d * d, HASH_SCALE), [d, d])]),
  ]);
  const zWords = g.op('MatMul', [
    hashed,
    g.initializer('head_words', uniforms(rng, d * words, 0.3), [d, words]),
  ]);
  // </s> also reads the hashed state, so the output length varies with the content.
  const eosContent = g.op('MatMul', [hashed, g.initializer('head_eos', uniforms(rng, d, 0.45), [d, 1])]);
  const posF = g.op('Unsqueeze', [g.op('Cast', [positions], { to: FLOAT }), g.ints('eos_pos_axes', [1])]);
  const eosRamp = g.op('Add', [
    g.op('Mul', [posF, scalar(g, 'eos_growth', EOS_GROWTH_PER_POSITION)]),
    scalar(g, 'eos_bias', EOS_BIAS),
  ]);
  const z = g.op('Concat', [zWords, g.op('Add', [eosContent, eosRamp])], { axis: -1 });
  const choice = g.op('Softmax', [g.op('Mul', [z, scalar(g, 'sharpness', CHOICE_SHARPNESS)])], { axis: -1 });
  const mixed = g.op('Add', [g.op('Mul', [choice, scalar(g, 'bonus', WINNER_BONUS)]), z]);

  const toVocab = new Float32Array((words + 1) * v);
  [...wordIds, eosId].forEach((id, slot) => (toVocab[slot * v + id] = 1));
  const base = new Float32Array(v);
  const candidates = new Set([...wordIds, eosId]);
  for (let id = 0; id < v; id++) base[id] = candidates.has(id) ? 0 : -6 + rng.next();
  const logits = g.op('MatMul', [mixed, g.initializer('head_to_vocab', toVocab, [words + 1, v])]);
  return g.op('Add', [logits, g.initializer('head_base', base, [v])]);
}
