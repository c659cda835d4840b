import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeModel } from '../onnx-graph';
import {
  buildTinyWhisperDecoder,
  buildTinyWhisperEncoder,
  generateTinyWhisperWeights,
  type TinyPrecision,
  type TinyWhisperControls,
  type TinyWhisperDims,
} from './tiny-whisper-graphs';
import {
  buildTinyWhisperVocab,
  TINY_WHISPER_LANGUAGES,
  tokenizerConfigJson,
  tokenizerJson,
} from './tiny-whisper-tokenizer';

const SEED = 0x5eed_a51;

/** File suffix of each precision variant, as in the onnx-community exports. */
const VARIANTS: ReadonlyArray<[TinyPrecision, string]> = [
  ['fp32', ''],
  ['fp16', '_fp16'],
  ['int8', '_int8'],
  ['q4', '_q4'],
];

const README = `# Tiny Whisper test model (generated)

Written by \`generateTinyWhisper\` (libs/devkit/src/models/whisper). Deterministic: every run writes identical
bytes. The layout, file names, tensor names, dtypes and shapes follow the onnx-community Whisper exports, so
the real loading, batching and KV-cache decoding code runs on it; the words it outputs are nonsense.

- \`onnx/encoder_model.onnx\`, \`onnx/decoder_model_merged.onnx\`: float32 weights and I/O.
- \`*_fp16.onnx\`: real fp16 files: float16 weights and float16 inputs/outputs (input_features,
  last_hidden_state, encoder_hidden_states, past/present key values, logits), computing in float32 inside.
- \`*_int8.onnx\`: weight-only int8 quantization (int8 weights, one scale per tensor, DequantizeLinear),
  float32 I/O. Real \`_int8\`/\`_quantized\` exports quantize activations too (MatMulInteger); same interface.
- \`*_q4.onnx\`: weight-only 4-bit levels (-7..7) stored in int8 containers with DequantizeLinear, float32
  I/O. Real \`_q4\` exports use com.microsoft MatMulNBits; same interface.

Only the fp32 files are checked for stable greedy output (top-2 logit gap > 0.5 at every step); the other
variants share its weights, rounded, and usually decode the same words.
\`config.json\` has \`"olt_test_model": true\`.
`;

function writeJson(file: string, value: unknown): void {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Options for tests that need controlled logits and for benchmarks that need a bigger network. None set =
 * the default test model, byte for byte (the e2e tests assert its exact texts).
 */
export interface TinyWhisperOptions {
  /** Logit added to a language at the language slot, e.g. { es: 20 }: detection picks it with p ≈ 1. */
  languageBias?: Record<string, number>;
  /** Logit of <|nocaptions|> at the first step (default: masked, so its probability is ≈ 0). */
  noSpeechLogit?: number;
  /** Logit bonus for repeating the token just fed (default: a penalty). 1e6 makes "word word word …". */
  repeatBonus?: number;
  /** Add Whisper's 1501 timestamp tokens (<|0.00|> … <|30.00|>) after <|notimestamps|>. */
  timestampTokens?: boolean;
  /** Network size (default d_model 64, 2 heads, 2 decoder layers, no extra encoder layers). */
  dims?: { dModel?: number; heads?: number; decoderLayers?: number; encoderLayers?: number };
  /** Variants to write (default all: fp32, fp16, int8, q4). */
  precisions?: readonly TinyPrecision[];
}

/** Writes a tiny deterministic Whisper (Hugging Face ONNX export layout, ~1 MB) into `dir`. */
export async function generateTinyWhisper(dir: string, options: TinyWhisperOptions = {}): Promise<void> {
  const v = buildTinyWhisperVocab({ timestampTokens: options.timestampTokens });
  const dims: TinyWhisperDims = {
    nMels: 80,
    dModel: options.dims?.dModel ?? 64,
    heads: options.dims?.heads ?? 2,
    decoderLayers: options.dims?.decoderLayers ?? 2,
    vocabSize: v.vocabSize,
    encoderFrames: 1500,
    firstLanguageId: v.langIds.get('en')!,
    encoderLayers: options.dims?.encoderLayers ?? 0,
  };
  const languageIds = [...v.langIds.values()];
  const controls: TinyWhisperControls = {
    languageBias: new Map(
      Object.entries(options.languageBias ?? {}).map(([code, bias]) => {
        const id = v.langIds.get(code);
        if (id === undefined) throw new Error(`languageBias: "${code}" is not a Whisper language code`);
        return [id, bias];
      }),
    ),
    noSpeech:
      options.noSpeechLogit === undefined ? undefined : { id: v.noCaptions, logit: options.noSpeechLogit },
    repeatBonus: options.repeatBonus,
    timestampIds:
      v.timestampBegin === undefined
        ? undefined
        : Array.from({ length: v.vocabSize - v.timestampBegin }, (_, i) => v.timestampBegin! + i),
  };
  const weights = generateTinyWhisperWeights(
    dims,
    { languageIds, wordIds: v.wordIds, eot: v.eot },
    SEED,
    controls,
  );

  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const wanted = new Set(options.precisions ?? VARIANTS.map(([p]) => p));
  for (const [precision, suffix] of VARIANTS.filter(([p]) => wanted.has(p))) {
    writeModel(
      join(dir, 'onnx', `encoder_model${suffix}.onnx`),
      buildTinyWhisperEncoder(dims, weights, precision),
      {
        docString: `tiny whisper encoder (${precision}) for tests`,
      },
    );
    writeModel(
      join(dir, 'onnx', `decoder_model_merged${suffix}.onnx`),
      buildTinyWhisperDecoder(dims, weights, precision),
      {
        docString: `tiny whisper merged decoder (${precision}) for tests`,
      },
    );
  }

  // Suppressed like Whisper's list: a few punctuation/symbol pieces and the control tokens.
  const suppress = [
    '"',
    '#',
    '(',
    ')',
    '*',
    '+',
    '/',
    ':',
    ';',
    '<',
    '=',
    '>',
    '@',
    '[',
    '\\',
    ']',
    '^',
    '_',
    '`',
    '{',
    '|',
    '}',
    '~',
  ]
    .map((c) => v.vocab.get(c)!)
    .concat([v.translate, v.transcribe, v.startOfLm, v.startOfPrev, v.noCaptions])
    .sort((a, b) => a - b);
  const langToId = Object.fromEntries(TINY_WHISPER_LANGUAGES.map((c) => [`<|${c}|>`, v.langIds.get(c)!]));
  writeJson(join(dir, 'config.json'), {
    _name_or_path: 'olt/whisper-tiny-test',
    olt_test_model: true,
    architectures: ['WhisperForConditionalGeneration'],
    model_type: 'whisper',
    vocab_size: v.vocabSize,
    num_mel_bins: dims.nMels,
    d_model: dims.dModel,
    encoder_layers: 1 + (dims.encoderLayers ?? 0),
    encoder_attention_heads: dims.heads,
    decoder_layers: dims.decoderLayers,
    decoder_attention_heads: dims.heads,
    encoder_ffn_dim: dims.dModel * 4,
    decoder_ffn_dim: dims.dModel * 4,
    max_source_positions: dims.encoderFrames,
    max_target_positions: 448,
    bos_token_id: v.eot,
    eos_token_id: v.eot,
    pad_token_id: v.eot,
    decoder_start_token_id: v.sot,
    begin_suppress_tokens: [v.space, v.eot],
    suppress_tokens: suppress,
    forced_decoder_ids: null,
    scale_embedding: false,
    use_cache: true,
    is_encoder_decoder: true,
    torch_dtype: 'float32',
    transformers_version: '4.46.0',
  });
  writeJson(join(dir, 'generation_config.json'), {
    alignment_heads: [[1, 0]],
    begin_suppress_tokens: [v.space, v.eot],
    bos_token_id: v.eot,
    decoder_start_token_id: v.sot,
    eos_token_id: v.eot,
    forced_decoder_ids: [
      [1, null],
      [2, v.transcribe],
    ],
    is_multilingual: true,
    lang_to_id: langToId,
    max_initial_timestamp_index: 50,
    max_length: 448,
    no_timestamps_token_id: v.noTimestamps,
    pad_token_id: v.eot,
    prev_sot_token_id: v.startOfPrev,
    return_timestamps: false,
    suppress_tokens: suppress,
    task_to_id: { translate: v.translate, transcribe: v.transcribe },
    transformers_version: '4.46.0',
  });
  writeJson(join(dir, 'preprocessor_config.json'), {
    chunk_length: 30,
    feature_extractor_type: 'WhisperFeatureExtractor',
    feature_size: dims.nMels,
    hop_length: 160,
    n_fft: 400,
    n_samples: 480000,
    nb_max_frames: 3000,
    padding_side: 'right',
    padding_value: 0.0,
    processor_class: 'WhisperProcessor',
    return_attention_mask: false,
    sampling_rate: 16000,
  });
  writeJson(join(dir, 'tokenizer.json'), tokenizerJson(v));
  writeJson(join(dir, 'tokenizer_config.json'), tokenizerConfigJson(v));
  writeJson(join(dir, 'special_tokens_map.json'), {
    bos_token: '<|endoftext|>',
    eos_token: '<|endoftext|>',
    unk_token: '<|endoftext|>',
    pad_token: '<|endoftext|>',
  });
  writeFileSync(join(dir, 'README.md'), README);
}
