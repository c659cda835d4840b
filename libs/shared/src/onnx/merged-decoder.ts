import { type InferenceSession, Tensor } from 'onnxruntime-node';
import { failedPrecondition, invalidArgument } from '../errors';
import { float32ToFloat16 } from './float16';

/** Shapes of the KV cache of a Hugging Face "merged" decoder export, per layer: [batch, heads, seq, headDim]. */
export interface DecoderCacheLayout {
  layers: number;
  decoderHeads: number;
  decoderHeadDim: number;
  encoderHeads: number;
  encoderHeadDim: number;
  /** Element type of the past/present tensors ("float32" for fp32/int8 exports, "float16" for fp16). */
  dtype: 'float32' | 'float16';
}

const PAST_DECODER_KEY = /^past_key_values\.(\d+)\.decoder\.key$/;

function numberFrom(config: Record<string, unknown>, keys: string[]): number | undefined {
  for (const key of keys) if (typeof config[key] === 'number') return config[key] as number;
  return undefined;
}

function metadataOf(session: InferenceSession, name: string): InferenceSession.ValueMetadata | undefined {
  return session.inputMetadata.find((m) => m.name === name);
}

/**
 * Reads the cache layout of a merged decoder: the layer count from the session's inputs, heads and head
 * size from the session's declared shapes where they are concrete numbers, else from config.json
 * (Whisper and M2M100/NLLB use decoder_attention_heads and d_model).
 */
export function mergedDecoderLayout(
  session: InferenceSession,
  config: Record<string, unknown>,
): DecoderCacheLayout {
  const layers = session.inputNames.filter((n) => PAST_DECODER_KEY.test(n)).length;
  if (layers === 0 || !session.inputNames.includes('use_cache_branch')) {
    throw failedPrecondition(
      'decoder model is not a merged decoder export (expected inputs past_key_values.{i}.decoder.key and ' +
        `use_cache_branch; found ${session.inputNames.join(', ')}). Use decoder_model_merged*.onnx.`,
    );
  }
  const dModel = numberFrom(config, ['d_model', 'hidden_size']);
  // Cross-attention lives in the decoder layers, so the encoder cache has the decoder's head count.
  const heads = numberFrom(config, ['decoder_attention_heads', 'num_attention_heads', 'num_heads']);
  const fromShape = (name: string) => {
    const meta = metadataOf(session, name);
    return meta && meta.isTensor ? meta.shape : [];
  };
  const decShape = fromShape('past_key_values.0.decoder.key');
  const encShape = fromShape('past_key_values.0.encoder.key');
  // A concrete size declared by the model wins (it is what ORT will check); config.json fills symbolic ones.
  const pick = (fromMeta: number | string | undefined, fromConfig: number | undefined, what: string) => {
    const value = typeof fromMeta === 'number' ? fromMeta : fromConfig;
    if (value === undefined || !Number.isInteger(value) || value <= 0) {
      throw failedPrecondition(`cannot tell the decoder's ${what} from config.json or the model`);
    }
    return value;
  };
  const dh = pick(decShape[1], heads, 'attention heads');
  const eh = pick(encShape[1], heads, 'cross-attention heads');
  const dd = pick(decShape[3], dModel !== undefined ? dModel / dh : undefined, 'head size');
  const ed = pick(encShape[3], dModel !== undefined ? dModel / eh : undefined, 'cross-attention head size');
  const meta = metadataOf(session, 'past_key_values.0.decoder.key');
  const dtype = meta && meta.isTensor && meta.type === 'float16' ? 'float16' : 'float32';
  return {
    layers,
    decoderHeads: dh,
    decoderHeadDim: dd,
    encoderHeads: eh,
    encoderHeadDim: ed,
    dtype,
  };
}

function emptyPast(layout: DecoderCacheLayout, batch: number, heads: number, headDim: number): Tensor {
  // A zero-length sequence axis: onnxruntime-node 1.30 accepts zero-size tensors, and the merged graph's
  // no-cache branch never reads them (checked by the tiny-model tests in this folder).
  const data = layout.dtype === 'float16' ? new Uint16Array(0) : new Float32Array(0);
  return new Tensor(layout.dtype, data, [batch, heads, 0, headDim]);
}

/** Gathers rows of the batch (first) axis of a tensor, e.g. to drop finished sequences or reorder beams. */
export function selectBatchRows(tensor: Tensor, rows: readonly number[]): Tensor {
  const [batch, ...rest] = tensor.dims;
  const rowSize = rest.reduce((a, b) => a * b, 1);
  const src = tensor.data as unknown as {
    subarray(a: number, b: number): ArrayLike<unknown>;
    length: number;
  };
  const Ctor = (tensor.data as object).constructor as new (n: number) => {
    set(a: ArrayLike<unknown>, o: number): void;
  };
  const out = new Ctor(rows.length * rowSize);
  rows.forEach((row, i) => {
    if (row < 0 || row >= batch) throw invalidArgument(`row ${row} outside batch of ${batch}`);
    out.set(src.subarray(row * rowSize, (row + 1) * rowSize), i * rowSize);
  });
  return new Tensor(tensor.type, out as never, [rows.length, ...rest]);
}

/**
 * KV cache of a merged decoder for one batch. Step 0 feeds empty pasts with use_cache_branch=false (the
 * graph computes the cross-attention keys/values from encoder_hidden_states); later steps feed the
 * presents back with use_cache_branch=true. In the cache branch HF exports output placeholder encoder
 * presents, so the encoder pasts from step 0 are kept, as transformers.js and optimum do.
 */
export class MergedDecoderCache {
  private past = new Map<string, Tensor>();
  private pastLength = 0;

  constructor(
    readonly layout: DecoderCacheLayout,
    private batch: number,
  ) {
    this.reset();
  }

  get batchSize(): number {
    return this.batch;
  }

  /** Tokens already in the decoder cache (the position of the next input token). */
  get length(): number {
    return this.pastLength;
  }

  reset(): void {
    const { layout, batch } = this;
    this.past.clear();
    for (let i = 0; i < layout.layers; i++) {
      for (const kv of ['key', 'value']) {
        this.past.set(
          `past_key_values.${i}.decoder.${kv}`,
          emptyPast(layout, batch, layout.decoderHeads, layout.decoderHeadDim),
        );
        this.past.set(
          `past_key_values.${i}.encoder.${kv}`,
          emptyPast(layout, batch, layout.encoderHeads, layout.encoderHeadDim),
        );
      }
    }
    this.pastLength = 0;
  }

  /** The past_key_values.* and use_cache_branch feeds for the next decoder run. */
  feeds(): Record<string, Tensor> {
    const feeds: Record<string, Tensor> = Object.fromEntries(this.past);
    feeds.use_cache_branch = new Tensor('bool', [this.pastLength > 0], [1]);
    return feeds;
  }

  /** Takes the presents of a decoder run that consumed `stepLength` new tokens per row. */
  update(outputs: InferenceSession.ReturnType, stepLength: number): void {
    const first = this.pastLength === 0;
    for (const name of this.past.keys()) {
      const present = outputs[name.replace('past_key_values', 'present')] as Tensor | undefined;
      if (!present)
        throw failedPrecondition(`decoder did not output ${name.replace('past_key_values', 'present')}`);
      if (name.includes('.encoder.') && !first) continue;
      this.past.set(name, present);
    }
    this.pastLength += stepLength;
  }

  /** Keeps only the given batch rows (in that order), e.g. after some sequences finished. */
  selectRows(rows: readonly number[]): void {
    for (const [name, tensor] of this.past) this.past.set(name, selectBatchRows(tensor, rows));
    this.batch = rows.length;
  }
}

/**
 * One decoder run: input_ids [batch, seq] (same length per row) plus the cache feeds and any extra feeds
 * (encoder_hidden_states, encoder_attention_mask, …; only those the model declares are passed). Updates the
 * cache and returns the logits tensor [batch, seq, vocab].
 */
export async function runMergedDecoder(
  session: InferenceSession,
  cache: MergedDecoderCache,
  inputIds: ReadonlyArray<readonly number[]>,
  extraFeeds: Record<string, Tensor>,
): Promise<Tensor> {
  const batch = inputIds.length;
  const seq = inputIds[0]?.length ?? 0;
  if (batch !== cache.batchSize)
    throw invalidArgument(`input_ids has ${batch} rows, cache has ${cache.batchSize}`);
  if (seq === 0 || inputIds.some((r) => r.length !== seq)) {
    throw invalidArgument('input_ids rows must be non-empty and of equal length');
  }
  const ids = new BigInt64Array(batch * seq);
  inputIds.forEach((row, b) => row.forEach((id, s) => (ids[b * seq + s] = BigInt(id))));
  const all: Record<string, Tensor> = {
    input_ids: new Tensor('int64', ids, [batch, seq]),
    ...extraFeeds,
    ...cache.feeds(),
  };
  const feeds: Record<string, Tensor> = {};
  for (const name of session.inputNames) {
    if (!all[name]) throw failedPrecondition(`decoder needs input ${name}, which the caller did not provide`);
    feeds[name] = all[name];
  }
  const outputs = await session.run(feeds);
  cache.update(outputs, seq);
  return outputs.logits as Tensor;
}

/** Converts float32 data to a tensor of the element type a model input declares (float32 or float16). */
export function floatTensorFor(
  session: InferenceSession,
  inputName: string,
  data: Float32Array,
  dims: readonly number[],
): Tensor {
  const meta = metadataOf(session, inputName);
  if (meta && meta.isTensor && meta.type === 'float16')
    return new Tensor('float16', float32ToFloat16(data), dims);
  return new Tensor('float32', data, dims);
}
