import { PRECISION_SUFFIXES } from '../onnx/model-files';

export type ModelFamily = 'whisper' | 'nllb';

/** A model this project knows how to download: its Hugging Face repo and what the engines need of it. */
export interface KnownModel {
  /** Directory name under models.dir and the name used in config (`asr.model`, `models pull`). */
  name: string;
  /** Hugging Face repository of its ONNX export. */
  repo: string;
  family: ModelFamily;
  /** Precision pulled when none is asked for. */
  defaultPrecision: string;
}

export const KNOWN_MODELS: readonly KnownModel[] = [
  {
    name: 'whisper-large-v3-turbo',
    repo: 'onnx-community/whisper-large-v3-turbo',
    family: 'whisper',
    defaultPrecision: 'fp16',
  },
  {
    name: 'whisper-small',
    repo: 'onnx-community/whisper-small',
    family: 'whisper',
    defaultPrecision: 'int8',
  },
  { name: 'whisper-base', repo: 'onnx-community/whisper-base', family: 'whisper', defaultPrecision: 'int8' },
  { name: 'whisper-tiny', repo: 'onnx-community/whisper-tiny', family: 'whisper', defaultPrecision: 'int8' },
  {
    name: 'nllb-200-distilled-600M',
    repo: 'Xenova/nllb-200-distilled-600M',
    family: 'nllb',
    defaultPrecision: 'int8',
  },
];

/** By name ("whisper-base") or repo ("onnx-community/whisper-base"), case-insensitively. */
export function findKnownModel(nameOrRepo: string): KnownModel | undefined {
  const wanted = nameOrRepo.trim().toLowerCase();
  return KNOWN_MODELS.find((m) => m.name.toLowerCase() === wanted || m.repo.toLowerCase() === wanted);
}

/**
 * The config's precision names as model-files.ts knows them: "q8" is what transformers.js calls the
 * dynamic-quantized `_quantized` files.
 */
export function filePrecision(precision: string): string {
  return precision === 'q8' ? 'quantized' : precision;
}

/** JSON files the engines read; `optional` ones are fetched when the repo has them. */
const JSON_FILES: Record<ModelFamily, { required: string[]; optional: string[] }> = {
  whisper: {
    required: [
      'config.json',
      'generation_config.json',
      'preprocessor_config.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ],
    optional: ['special_tokens_map.json'],
  },
  nllb: {
    required: ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json'],
    optional: ['special_tokens_map.json'],
  },
};

/** The two ONNX graphs of an encoder–decoder export. */
export const ONNX_GRAPHS = ['encoder_model', 'decoder_model_merged'] as const;

export interface ModelFileSet {
  required: string[];
  optional: string[];
  /** Per graph, the repo paths that stand for the precision, in order of preference (one is needed). */
  graphs: Array<{ graph: string; alternatives: string[] }>;
}

/** Files to fetch for one precision of a model (paths inside the repo, `/`-separated). */
export function modelFileSet(family: ModelFamily, precision: string): ModelFileSet {
  const suffixes = PRECISION_SUFFIXES[filePrecision(precision)];
  if (!suffixes) {
    throw new Error(
      `unknown precision "${precision}"; use one of ${Object.keys(PRECISION_SUFFIXES).join(', ')}, q8`,
    );
  }
  return {
    ...JSON_FILES[family],
    graphs: ONNX_GRAPHS.map((graph) => ({
      graph,
      alternatives: suffixes.map((suffix) => `onnx/${graph}${suffix}.onnx`),
    })),
  };
}
