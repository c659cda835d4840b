import { GraphBuilder, onnxDataType, SeededRandom, toFloat16 } from '../onnx-graph';

/**
 * The two ONNX graphs of a tiny Whisper, with the input/output names, dtypes and layouts of the
 * onnx-community / Xenova Whisper exports:
 *   encoder_model.onnx          input_features [batch, n_mels, 3000] → last_hidden_state [batch, 1500, d]
 *   decoder_model_merged.onnx   input_ids, encoder_hidden_states, past_key_values.{i}.{decoder,encoder}.{key,value},
 *                               use_cache_branch → logits, present.{i}.…  (an If on use_cache_branch picks
 *                               between the KV cache and computing cross-attention keys from the encoder)
 * The network is small but real: frame-pair projection in the encoder; token embedding, sinusoidal
 * positions, causal self-attention over the cache and cross-attention over the audio in the decoder.
 * The output head is shaped so greedy decoding reads like text: a position-dependent bias lets only
 * language tokens win after <|startoftranscript|>, only whole-word tokens and <|endoftext|> afterwards, and
 * gives <|endoftext|> a bias that grows with the position so every output ends after a few words.
 */

export type TinyPrecision = 'fp32' | 'fp16' | 'int8' | 'q4';

export interface TinyWhisperDims {
  nMels: number;
  dModel: number;
  heads: number;
  decoderLayers: number;
  vocabSize: number;
  /** Encoder frames after the frame-pair projection (Whisper: 1500). */
  encoderFrames: number;
  /** Id of the first language token (<|en|>); the language tokens are consecutive. */
  firstLanguageId: number;
  /**
   * Residual MLP layers (d → 4d → d) after the encoder projection; 0 in the test model. Benchmarks add some
   * so that the encoder costs what a real one does, relative to the decoder.
   */
  encoderLayers?: number;
}

/**
 * Knobs that steer the head for tests that need controlled logits. None set = the default test model,
 * byte for byte.
 */
export interface TinyWhisperControls {
  /** Logit added to language tokens at the language slot (token id → logit): detection picks a big one. */
  languageBias?: ReadonlyMap<number, number>;
  /**
   * The no-speech token (<|nocaptions|>) and its logit at the first step (default: masked, probability ≈ 0).
   * Language logits are about N(0, 1.5) over 99 languages, so 10 gives a no-speech probability ≈ 0.99.
   */
  noSpeech?: { id: number; logit: number };
  /** Logit added to the token just fed (default: -30000, a penalty); a big bonus makes the decoder loop. */
  repeatBonus?: number;
  /** Timestamp token ids: zero embeddings, masked like other specials (decided by the decoder's rules). */
  timestampIds?: readonly number[];
}

export interface TinyWhisperHead {
  /** Ids allowed to win at position 0 (the language slot). */
  languageIds: number[];
  /** Ordinary ids allowed to win at positions ≥ 1 (whole-word tokens). */
  wordIds: number[];
  eot: number;
}

/** Float32 weights shared by every precision variant (generated once, from one seed). */
export interface TinyWhisperWeights {
  encoderProjection: Float32Array; // [2 * nMels, d]
  embedding: Float32Array; // [vocab, d]  (also the output head, as in Whisper)
  inputRotation: Float32Array; // [d, d]   (decorrelates a token's input from its own output logit)
  layers: Array<Record<'q' | 'k' | 'v' | 'o' | 'crossQ' | 'crossK' | 'crossV' | 'crossO', Float32Array>>;
  classBias: Float32Array; // [3, vocab]: rows = [pos == 0], [pos >= 1], max(0, pos - 3)
  languageProjection: Float32Array; // [d, languages]: the first layer's cross-attention → language logits
  /** Logit added to the token just fed (negative: a penalty). */
  repeatValue: number;
  /**
   * With a repeat bonus: 1 for word tokens, 0 elsewhere, so the bonus never lifts the control token just
   * fed (<|startoftranscript|> would otherwise swamp the first step's softmax and the no-speech probability).
   */
  repeatMask?: Float32Array;
  /** Extra encoder layers (TinyWhisperDims.encoderLayers), [d, 4d] and [4d, d]. */
  encoderMlp: Array<{ up: Float32Array; down: Float32Array }>;
}

/** Tuning of the head; chosen so the top-2 logit gap is large at every greedy step (see the spec). */
export const TINY_WHISPER_TUNING = {
  /** Std of word logits: large, so a top-2 gap small enough for float noise to flip is very rare. */
  wordLogitStd: 2000,
  /** Std of language logits at the language slot: moderate, so detection has real probabilities. */
  languageLogitStd: 1.5,
  firstLanguagePrior: 1,
  /** <|endoftext|> logit = -eotBase + eotSlope * (words so far): wins after ~5 words, by 8 at the latest. */
  eotBase: 0,
  eotSlope: 1000,
  repeatPenalty: 30000,
  crossAttentionSharpness: 3,
  crossAttentionGain: 1,
  encoderWeightStd: 0.1,
  mask: -30000,
};

export function generateTinyWhisperWeights(
  dims: TinyWhisperDims,
  head: TinyWhisperHead,
  seed: number,
  controls: TinyWhisperControls = {},
): TinyWhisperWeights {
  const rng = new SeededRandom(seed);
  const { dModel: d, vocabSize: V, nMels } = dims;
  const t = TINY_WHISPER_TUNING;
  const encoderProjection = rng.normals(2 * nMels * d, t.encoderWeightStd);
  const embedding = rng.normals(V * d, 1);
  // Language tokens get small embeddings: their logits come from the audio (languageProjection) instead.
  const languageScale = 0.02 / t.wordLogitStd;
  for (const id of head.languageIds) for (let j = 0; j < d; j++) embedding[id * d + j] *= languageScale;
  head.languageIds.forEach((id, i) => {
    if (id !== head.languageIds[0] + i)
      throw new Error('language token ids must be consecutive, as in Whisper');
  });
  embedding.fill(0, head.eot * d, (head.eot + 1) * d); // <|endoftext|> is decided by its bias alone
  const inputRotation = rng.normals(d * d, 1 / Math.sqrt(d));
  const layers: TinyWhisperWeights['layers'] = [];
  const std = 1 / Math.sqrt(d);
  for (let l = 0; l < dims.decoderLayers; l++) {
    layers.push({
      q: rng.normals(d * d, std),
      k: rng.normals(d * d, std),
      v: rng.normals(d * d, std),
      o: rng.normals(d * d, std),
      crossQ: rng.normals(d * d, std),
      crossK: rng.normals(d * d, std * Math.SQRT2),
      crossV: rng.normals(d * d, std * Math.SQRT2),
      crossO: rng.normals(d * d, std * t.crossAttentionGain),
    });
  }
  const classBias = new Float32Array(3 * V);
  const isLanguage = new Set(head.languageIds);
  const isWord = new Set(head.wordIds);
  for (let id = 0; id < V; id++) {
    if (!isLanguage.has(id)) classBias[id] = t.mask;
    if (!isWord.has(id) && id !== head.eot) classBias[V + id] = t.mask;
  }
  // A mild prior for the first language (<|en|>), so silence (no audio evidence) detects it clearly.
  classBias[head.languageIds[0]] = t.firstLanguagePrior;
  classBias[V + head.eot] = -t.eotBase;
  classBias[2 * V + head.eot] = t.eotSlope;
  const languageProjection = rng.normals(d * head.languageIds.length, t.languageLogitStd / Math.sqrt(d));
  // Controls come last and draw from the generator only after every default weight: without them, the
  // bytes are those of the default model.
  for (const [id, bias] of controls.languageBias ?? []) classBias[id] += bias;
  if (controls.noSpeech) {
    const { id, logit } = controls.noSpeech;
    embedding.fill(0, id * d, (id + 1) * d); // its logit is the bias alone
    classBias[id] = logit;
  }
  for (const id of controls.timestampIds ?? []) embedding.fill(0, id * d, (id + 1) * d);
  // Zero-preserving residual MLPs (no biases): padding frames stay exactly 0 (see the encoder).
  const encoderMlp = Array.from({ length: dims.encoderLayers ?? 0 }, () => ({
    up: rng.normals(d * 4 * d, 1 / Math.sqrt(d)),
    down: rng.normals(4 * d * d, 0.5 / Math.sqrt(4 * d)),
  }));
  const repeatValue = controls.repeatBonus ?? -t.repeatPenalty;
  let repeatMask: Float32Array | undefined;
  if (controls.repeatBonus !== undefined) {
    repeatMask = new Float32Array(V);
    for (const id of head.wordIds) repeatMask[id] = 1;
  }
  return {
    repeatMask,
    encoderProjection,
    embedding,
    inputRotation,
    layers,
    classBias,
    languageProjection,
    repeatValue,
    encoderMlp,
  };
}

/** Stores weights at a precision and hands back a float32 value for the float32 graph body. */
class WeightStore {
  constructor(
    private readonly g: GraphBuilder,
    private readonly precision: TinyPrecision,
  ) {}

  matrix(name: string, data: Float32Array, dims: number[]): string {
    const { g } = this;
    if (this.precision === 'fp32') return g.initializer(name, data, dims);
    if (this.precision === 'fp16') {
      return g.op('Cast', [g.initializer(name, toFloat16(data), dims)], { to: onnxDataType('float32') });
    }
    // Weight-only symmetric quantization, per tensor: int8 uses 127 levels a side, q4 uses 7 (stored in int8).
    const levels = this.precision === 'int8' ? 127 : 7;
    let max = 0;
    for (const x of data) max = Math.max(max, Math.abs(x));
    const scale = max / levels || 1;
    const q = new Int8Array(data.length);
    for (let i = 0; i < data.length; i++)
      q[i] = Math.max(-levels, Math.min(levels, Math.round(data[i] / scale)));
    return g.op('DequantizeLinear', [
      g.initializer(name, q, dims),
      g.floats(`${name}_scale`, [scale], []),
      g.initializer(`${name}_zero_point`, new Int8Array([0]), []),
    ]);
  }
}

/** Float16 at the interface for fp16 exports, float32 otherwise (int8 exports keep float32 I/O). */
function ioType(precision: TinyPrecision): 'float16' | 'float32' {
  return precision === 'fp16' ? 'float16' : 'float32';
}

function toFloat32(g: GraphBuilder, value: string, precision: TinyPrecision): string {
  return precision === 'fp16' ? g.op('Cast', [value], { to: onnxDataType('float32') }) : value;
}

function fromFloat32(g: GraphBuilder, value: string, precision: TinyPrecision): string {
  return precision === 'fp16' ? g.op('Cast', [value], { to: onnxDataType('float16') }) : value;
}

export function buildTinyWhisperEncoder(
  dims: TinyWhisperDims,
  w: TinyWhisperWeights,
  precision: TinyPrecision,
): GraphBuilder {
  const g = new GraphBuilder('tiny_whisper_encoder');
  const store = new WeightStore(g, precision);
  const io = ioType(precision);
  const frames = dims.encoderFrames * 2;
  const features = g.input('input_features', io, ['batch_size', dims.nMels, frames]);
  const x = g.op('Transpose', [toFloat32(g, features, precision)], { perm: [0, 2, 1] });
  const pairs = g.op('Reshape', [x, g.ints('pair_shape', [0, dims.encoderFrames, 2 * dims.nMels])]);
  // Relative to the quietest value of the clip: padding frames (all at Whisper's clamp floor) become exactly 0,
  // so their states are 0 and the decoder's cross-attention can tell audio from padding.
  const floor = g.op('ReduceMin', [pairs], { axes: [1, 2], keepdims: 1 });
  const lifted = g.op('Sub', [pairs, floor]);
  // …and without each frame-pair's mean, so the spectral shape (what was said), not loudness, sets the state.
  const centred = g.op('Sub', [lifted, g.op('ReduceMean', [lifted], { axes: [2], keepdims: 1 })]);
  const projection = store.matrix('encoder_projection', w.encoderProjection, [2 * dims.nMels, dims.dModel]);
  let states = g.op('Tanh', [g.op('MatMul', [centred, projection])]);
  w.encoderMlp.forEach((layer, i) => {
    const up = store.matrix(`encoder_mlp.${i}.up`, layer.up, [dims.dModel, 4 * dims.dModel]);
    const down = store.matrix(`encoder_mlp.${i}.down`, layer.down, [4 * dims.dModel, dims.dModel]);
    states = g.op('Add', [states, g.op('MatMul', [g.op('Relu', [g.op('MatMul', [states, up])]), down])]);
  });
  g.output(
    'last_hidden_state',
    io,
    ['batch_size', dims.encoderFrames, dims.dModel],
    fromFloat32(g, states, precision),
  );
  return g;
}

export function buildTinyWhisperDecoder(
  dims: TinyWhisperDims,
  w: TinyWhisperWeights,
  precision: TinyPrecision,
): GraphBuilder {
  const g = new GraphBuilder('tiny_whisper_decoder_merged');
  const store = new WeightStore(g, precision);
  const io = ioType(precision);
  const t = TINY_WHISPER_TUNING;
  const { dModel: d, heads: H, vocabSize: V } = dims;
  const hd = d / H;
  const f32 = (v: string) => toFloat32(g, v, precision);

  const inputIds = g.input('input_ids', 'int64', ['batch_size', 'decoder_sequence_length']);
  const encoderStates = g.input('encoder_hidden_states', io, [
    'batch_size',
    'encoder_sequence_length / 2',
    d,
  ]);
  const past: Array<Record<'dk' | 'dv' | 'ek' | 'ev', string>> = [];
  for (let l = 0; l < dims.decoderLayers; l++) {
    const dec = ['batch_size', H, 'past_decoder_sequence_length', hd];
    const enc = ['batch_size', H, 'encoder_sequence_length_out', hd];
    past.push({
      dk: g.input(`past_key_values.${l}.decoder.key`, io, dec),
      dv: g.input(`past_key_values.${l}.decoder.value`, io, dec),
      ek: g.input(`past_key_values.${l}.encoder.key`, io, enc),
      ev: g.input(`past_key_values.${l}.encoder.value`, io, enc),
    });
  }
  const useCache = g.input('use_cache_branch', 'bool', [1]);

  // Positions: past length (0 in the no-cache branch, whatever the past tensors hold) … + new tokens.
  const axis0 = g.ints('axis0', [0]);
  const sliceAt = (shapeOf: string, i: number) =>
    g.op('Slice', [
      g.op('Shape', [shapeOf]),
      g.ints(`at${i}_start`, [i]),
      g.ints(`at${i}_end`, [i + 1]),
      axis0,
    ]);
  const newTokens = sliceAt(inputIds, 1);
  const pastLength = g.op('Mul', [
    sliceAt(past[0].dk, 2),
    g.op('Cast', [useCache], { to: onnxDataType('int64') }),
  ]);
  const totalLength = g.op('Add', [pastLength, newTokens]);
  const scalar = (v: string) => g.op('Squeeze', [v, axis0]);
  const one = g.ints('one', [1], []);
  const positions = g.op('Range', [scalar(pastLength), scalar(totalLength), one]);
  const keyPositions = g.op('Range', [g.ints('zero', [0], []), scalar(totalLength), one]);
  const future = g.op('Greater', [keyPositions, g.op('Unsqueeze', [positions, g.ints('axis1', [1])])]);
  const causalMask = g.op('Where', [future, g.floats('masked', [t.mask], []), g.floats('zero_f', [0], [])]);

  const positionF = g.op('Cast', [positions], { to: onnxDataType('float32') });
  const invFreq = Array.from({ length: d / 2 }, (_, i) => 1 / Math.pow(100, (2 * i) / d));
  const angles = g.op('Mul', [
    g.op('Unsqueeze', [positionF, g.ints('axis1b', [1])]),
    g.floats('inv_freq', invFreq, [1, d / 2]),
  ]);
  const sinusoid = g.op('Concat', [g.op('Sin', [angles]), g.op('Cos', [angles])], { axis: 1 });

  const embedding = store.matrix('embed_tokens', w.embedding, [V, d]);
  const rotation = store.matrix('input_rotation', w.inputRotation, [d, d]);
  let h = g.op('Add', [g.op('MatMul', [g.op('Gather', [embedding, inputIds]), rotation]), sinusoid]);

  const splitHeads = (v: string) =>
    g.op('Transpose', [g.op('Reshape', [v, g.ints('heads_shape', [0, 0, H, hd])])], { perm: [0, 2, 1, 3] });
  const mergeHeads = (v: string) =>
    g.op('Reshape', [g.op('Transpose', [v], { perm: [0, 2, 1, 3] }), g.ints('merge_shape', [0, 0, d])]);
  const attend = (q: string, k: string, v: string, scale: number, bias: string) => {
    const scores = g.op('Mul', [
      g.op('MatMul', [q, g.op('Transpose', [k], { perm: [0, 1, 3, 2] })]),
      g.floats(`scale_${g.name}`, [scale], []),
    ]);
    return g.op('MatMul', [g.op('Softmax', [g.op('Add', [scores, bias])], { axis: -1 }), v]);
  };
  const ones = g.floats('ln_scale', new Float32Array(d).fill(1));
  const zeros = g.floats('ln_bias', new Float32Array(d));
  const presents: Array<[string, string, string]> = [];
  let firstCrossAttention = '';

  w.layers.forEach((lw, l) => {
    const m = (name: keyof typeof lw) => store.matrix(`layers.${l}.${name}`, lw[name], [d, d]);
    const q = splitHeads(g.op('MatMul', [h, m('q')]));
    const k = splitHeads(g.op('MatMul', [h, m('k')]));
    const v = splitHeads(g.op('MatMul', [h, m('v')]));
    const crossK = m('crossK');
    const crossV = m('crossV');

    // use_cache_branch = true: extend the decoder cache, read cross-attention keys from the encoder cache,
    // and (like optimum's merged exports) output placeholders for the encoder presents.
    const cached = g.subgraph(`layer${l}_with_past`);
    const placeholder = cached.floats('placeholder', new Float32Array(H * hd), [1, H, 1, hd]);
    cached.output(
      `l${l}_c_k`,
      'float32',
      ['batch_size', H, 'total', hd],
      cached.op('Concat', [f32(past[l].dk), k], { axis: 2 }),
    );
    cached.output(
      `l${l}_c_v`,
      'float32',
      ['batch_size', H, 'total', hd],
      cached.op('Concat', [f32(past[l].dv), v], { axis: 2 }),
    );
    cached.output(
      `l${l}_c_ek`,
      'float32',
      ['batch_size', H, 'frames', hd],
      cached.op('Identity', [f32(past[l].ek)]),
    );
    cached.output(
      `l${l}_c_ev`,
      'float32',
      ['batch_size', H, 'frames', hd],
      cached.op('Identity', [f32(past[l].ev)]),
    );
    cached.output(`l${l}_c_pk`, 'float32', [1, H, 1, hd], cached.op('Identity', [placeholder]));
    cached.output(`l${l}_c_pv`, 'float32', [1, H, 1, hd], cached.op('Identity', [placeholder]));

    const fresh = g.subgraph(`layer${l}_no_past`);
    const enc = toFloat32(fresh, encoderStates, precision);
    const ek = fresh.op(
      'Transpose',
      [fresh.op('Reshape', [fresh.op('MatMul', [enc, crossK]), g.ints('heads_shape_enc', [0, 0, H, hd])])],
      { perm: [0, 2, 1, 3] },
    );
    const ev = fresh.op(
      'Transpose',
      [fresh.op('Reshape', [fresh.op('MatMul', [enc, crossV]), g.ints('heads_shape_enc_v', [0, 0, H, hd])])],
      { perm: [0, 2, 1, 3] },
    );
    fresh.output(`l${l}_f_k`, 'float32', ['batch_size', H, 'total', hd], fresh.op('Identity', [k]));
    fresh.output(`l${l}_f_v`, 'float32', ['batch_size', H, 'total', hd], fresh.op('Identity', [v]));
    fresh.output(`l${l}_f_ek`, 'float32', ['batch_size', H, 'frames', hd], fresh.op('Identity', [ek]));
    fresh.output(`l${l}_f_ev`, 'float32', ['batch_size', H, 'frames', hd], fresh.op('Identity', [ev]));
    fresh.output(`l${l}_f_pk`, 'float32', ['batch_size', H, 'frames', hd], fresh.op('Identity', [ek]));
    fresh.output(`l${l}_f_pv`, 'float32', ['batch_size', H, 'frames', hd], fresh.op('Identity', [ev]));

    const [selfK, selfV, encK, encV, presentEncK, presentEncV] = g.node('If', [useCache], 6, {
      then_branch: cached,
      else_branch: fresh,
    });
    presents.push([selfK, selfV, ''], [presentEncK, presentEncV, '']);

    const selfAttention = g.op('MatMul', [
      mergeHeads(attend(q, selfK, selfV, 1 / Math.sqrt(hd), causalMask)),
      m('o'),
    ]);
    // Padding frames have all-zero keys: log(|k|^2 + eps) keeps attention on the frames that hold audio.
    const keyEnergy = g.op('ReduceSumSquare', [encK], { axes: [3], keepdims: 1 });
    const audioBias = g.op(
      'Transpose',
      [g.op('Log', [g.op('Add', [keyEnergy, g.floats('eps', [1e-6], [])])])],
      { perm: [0, 1, 3, 2] },
    );
    const crossQ = splitHeads(g.op('MatMul', [h, m('crossQ')]));
    const crossAttention = g.op('MatMul', [
      mergeHeads(attend(crossQ, encK, encV, t.crossAttentionSharpness / Math.sqrt(hd), audioBias)),
      m('crossO'),
    ]);
    if (l === 0) firstCrossAttention = crossAttention;
    const sum = g.op('Add', [g.op('Add', [h, selfAttention]), crossAttention]);
    h = g.op('LayerNormalization', [sum, ones, zeros], { axis: -1, epsilon: 1e-5 });
  });

  // Head: tied embedding scaled to the wanted logit spread, plus the position-class bias.
  const logitScale = t.wordLogitStd / Math.sqrt(d);
  const head = g.op('Transpose', [embedding], { perm: [1, 0] });
  const wordLogits = g.op('Mul', [g.op('MatMul', [h, head]), g.floats('logit_scale', [logitScale], [])]);
  const isFirst = g.op('Cast', [g.op('Equal', [positions, g.ints('zero_b', [0], [])])], {
    to: onnxDataType('float32'),
  });
  const isLater = g.op('Sub', [g.floats('one_f', [1], []), isFirst]);
  const ramp = g.op('Relu', [g.op('Sub', [positionF, g.floats('three', [3], [])])]);
  const col = (v: string) => g.op('Unsqueeze', [v, g.ints('axis1c', [1])]);
  const classes = g.op('Concat', [col(isFirst), col(isLater), col(ramp)], { axis: 1 });
  const classBias = g.op('MatMul', [classes, g.floats('class_bias', w.classBias, [3, V])]);
  // The token just fed may not win again at once (keeps the nonsense readable: no "each each each").
  let repeated = g.op(
    'OneHot',
    [inputIds, g.ints('vocab_depth', [V], []), g.floats('repeat_values', [0, w.repeatValue], [2])],
    { axis: -1 },
  );
  if (w.repeatMask) repeated = g.op('Mul', [repeated, g.floats('repeat_mask', w.repeatMask, [V])]);
  // Language slot: logits from what the first layer heard (0 for silence → a uniform guess), placed at the
  // language token ids and kept to position 0.
  const nLang = w.languageProjection.length / d;
  const heard = g.op('LayerNormalization', [firstCrossAttention, ones, zeros], { axis: -1, epsilon: 1e-5 });
  const languageScores = g.op('MatMul', [
    heard,
    store.matrix('language_projection', w.languageProjection, [d, nLang]),
  ]);
  const firstLanguage = dims.firstLanguageId;
  const placed = g.op('Pad', [
    languageScores,
    g.ints('language_pads', [0, 0, firstLanguage, 0, 0, V - firstLanguage - nLang]),
  ]);
  const languageLogits = g.op('Mul', [placed, col(isFirst)]);
  const logits = g.op('Add', [g.op('Add', [g.op('Add', [wordLogits, classBias]), repeated]), languageLogits]);
  g.output('logits', io, ['batch_size', 'decoder_sequence_length', V], fromFloat32(g, logits, precision));

  for (let l = 0; l < dims.decoderLayers; l++) {
    const [dk, dv] = presents[2 * l];
    const [ek, ev] = presents[2 * l + 1];
    const dec = ['batch_size', H, 'past_decoder_sequence_length + decoder_sequence_length', hd];
    const enc = ['batch_size', H, 'encoder_sequence_length_out', hd];
    g.output(`present.${l}.decoder.key`, io, dec, fromFloat32(g, dk, precision));
    g.output(`present.${l}.decoder.value`, io, dec, fromFloat32(g, dv, precision));
    g.output(`present.${l}.encoder.key`, io, enc, fromFloat32(g, ek, precision));
    g.output(`present.${l}.encoder.value`, io, enc, fromFloat32(g, ev, precision));
  }
  return g;
}
