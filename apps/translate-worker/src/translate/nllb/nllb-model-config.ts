import { failedPrecondition, readModelJson } from '@olt/shared';
import { basename } from 'node:path';

/** What decoding needs from config.json and generation_config.json of an NLLB (M2M100) export. */
export interface NllbModelConfig {
  /** Model name for ids and logs, e.g. "nllb-200-distilled-600M". */
  name: string;
  decoderStartTokenId: number;
  eosTokenId: number;
  padTokenId: number;
  /** Longest sequence the position embeddings cover (source and generated tokens alike). */
  maxPositions: number;
  /** True for the generated test models (their text is deterministic nonsense). */
  isTestModel: boolean;
  /** The raw config.json, for the cache layout (d_model, decoder_attention_heads). */
  raw: Record<string, unknown>;
}

export function readNllbModelConfig(dir: string): NllbModelConfig {
  const raw = readModelJson(dir, 'config.json');
  // generation_config.json wins where both say something, as in transformers.
  const generation = readModelJson(dir, 'generation_config.json');
  const id = (key: string): number => {
    const value = generation[key] ?? raw[key];
    const single = Array.isArray(value) ? value[0] : value;
    if (typeof single !== 'number' || !Number.isInteger(single) || single < 0) {
      throw failedPrecondition(`${key} is missing from ${dir}/config.json and generation_config.json`);
    }
    return single;
  };
  if (raw.model_type !== 'm2m_100') {
    throw failedPrecondition(
      `${dir} holds a ${String(raw.model_type)} model; NLLB exports have model_type m2m_100`,
    );
  }
  const nameOrPath = typeof raw._name_or_path === 'string' && raw._name_or_path ? raw._name_or_path : dir;
  return {
    name: basename(nameOrPath),
    decoderStartTokenId: id('decoder_start_token_id'),
    eosTokenId: id('eos_token_id'),
    padTokenId: id('pad_token_id'),
    maxPositions: typeof raw.max_position_embeddings === 'number' ? raw.max_position_embeddings : 1024,
    isTestModel: raw.olt_test_model === true,
    raw,
  };
}
