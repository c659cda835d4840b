import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildTinyNllbDecoder, buildTinyNllbEncoder, type TinyNllbDims } from './tiny-nllb-graphs';
import {
  BOS_ID,
  buildTinyNllbVocab,
  EOS_ID,
  PAD_ID,
  tinyNllbSpecialTokensMapJson,
  tinyNllbTokenizerConfigJson,
  tinyNllbTokenizerJson,
} from './tiny-nllb-tokenizer';

const D_MODEL = 64;
const HEADS = 4;
const ENCODER_LAYERS = 1;
const DECODER_LAYERS = 2;
const OUTPUT_WORDS = 64;
const MAX_POSITIONS = 1024;

/** Bigger dims for benchmarks (a mid-sized model whose compute resembles a real one); defaults = the test model. */
export interface NllbModelDims {
  dModel?: number;
  heads?: number;
  encoderLayers?: number;
  decoderLayers?: number;
}

const json = (value: object) => JSON.stringify(value, null, 2) + '\n';

/**
 * Writes a tiny, deterministic NLLB-200 model to `dir` in the Hugging Face ONNX export layout of
 * facebook/nllb-200-distilled-600M (config.json, generation_config.json, tokenizer files,
 * onnx/encoder_model.onnx, onnx/decoder_model_merged.onnx). Same bytes on every call and host.
 * Its translations are nonsense made of English words, but they depend on the source text and on the
 * target language, and greedy decoding ends with </s> after a few words.
 */
export async function generateTinyNllb(dir: string, size: NllbModelDims = {}): Promise<void> {
  const vocab = buildTinyNllbVocab(OUTPUT_WORDS);
  const dims: TinyNllbDims = {
    vocabSize: vocab.size,
    dModel: size.dModel ?? D_MODEL,
    heads: size.heads ?? HEADS,
    encoderLayers: size.encoderLayers ?? ENCODER_LAYERS,
    decoderLayers: size.decoderLayers ?? DECODER_LAYERS,
    wordIds: vocab.wordIds,
    eosId: EOS_ID,
  };
  await mkdir(join(dir, 'onnx'), { recursive: true });
  await Promise.all([
    writeFile(join(dir, 'config.json'), json(configJson(vocab.size, dims))),
    writeFile(join(dir, 'generation_config.json'), json(generationConfigJson())),
    writeFile(join(dir, 'tokenizer.json'), json(tinyNllbTokenizerJson(vocab))),
    writeFile(join(dir, 'tokenizer_config.json'), json(tinyNllbTokenizerConfigJson(vocab))),
    writeFile(join(dir, 'special_tokens_map.json'), json(tinyNllbSpecialTokensMapJson())),
    writeFile(join(dir, 'onnx', 'encoder_model.onnx'), buildTinyNllbEncoder(dims, 0x6e6c6c62)),
    writeFile(join(dir, 'onnx', 'decoder_model_merged.onnx'), buildTinyNllbDecoder(dims, 0x64656364)),
  ]);
}

function configJson(vocabSize: number, dims: TinyNllbDims): object {
  return {
    _name_or_path: 'olt-devkit/tiny-nllb-200',
    activation_function: 'relu',
    architectures: ['M2M100ForConditionalGeneration'],
    bos_token_id: BOS_ID,
    d_model: dims.dModel,
    decoder_attention_heads: dims.heads,
    decoder_ffn_dim: dims.dModel,
    decoder_layers: dims.decoderLayers,
    decoder_start_token_id: EOS_ID,
    encoder_attention_heads: dims.heads,
    encoder_ffn_dim: dims.dModel,
    encoder_layers: dims.encoderLayers,
    eos_token_id: EOS_ID,
    is_encoder_decoder: true,
    max_length: 200,
    max_position_embeddings: MAX_POSITIONS,
    model_type: 'm2m_100',
    num_hidden_layers: dims.encoderLayers,
    olt_test_model: true,
    pad_token_id: PAD_ID,
    scale_embedding: true,
    tokenizer_class: 'NllbTokenizer',
    torch_dtype: 'float32',
    use_cache: true,
    vocab_size: vocabSize,
  };
}

function generationConfigJson(): object {
  return {
    bos_token_id: BOS_ID,
    decoder_start_token_id: EOS_ID,
    eos_token_id: EOS_ID,
    max_length: 200,
    pad_token_id: PAD_ID,
  };
}
