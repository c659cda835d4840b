import {
  argmax,
  type DecoderCacheLayout,
  logitsAt,
  logSumExp,
  MergedDecoderCache,
  runMergedDecoder,
  selectBatchRows,
} from '@olt/shared';
import type { InferenceSession, Tensor } from 'onnxruntime-node';

export interface GreedyBatch {
  /** last_hidden_state of the encoder, [batch, seq, d]. */
  encoderHiddenStates: Tensor;
  /** The encoder's attention mask, [batch, seq] int64 (0 = padding). */
  encoderAttentionMask: Tensor;
  /** Forced decoder prefix per row, e.g. [</s>, tgt_lang]; all rows the same length. */
  prefixes: number[][];
  /** Most tokens to generate per row (at least 1), as transformers' max_new_tokens. */
  maxNewTokens: number[];
  eosId: number;
}

export interface GreedyOutput {
  /** Generated ids per row, without the prefix and without the final </s>. */
  tokens: number[][];
  /** Log-probability of every generated token, the final </s> included. */
  logProbs: number[][];
}

/**
 * Greedy decoding of a whole batch with a merged decoder and its KV cache: one decoder run per step for
 * all unfinished rows. Rows are independent (own encoder states, own cache rows), so a row decodes the same
 * alone or in any batch; finished rows leave the batch so that later steps only pay for the rest.
 */
export async function greedyDecodeBatch(
  session: InferenceSession,
  layout: DecoderCacheLayout,
  batch: GreedyBatch,
): Promise<GreedyOutput> {
  const size = batch.prefixes.length;
  const tokens: number[][] = Array.from({ length: size }, () => []);
  const logProbs: number[][] = Array.from({ length: size }, () => []);
  const cache = new MergedDecoderCache(layout, size);
  let active = Array.from({ length: size }, (_, i) => i);
  let encoderHiddenStates = batch.encoderHiddenStates;
  let encoderAttentionMask = batch.encoderAttentionMask;
  let inputIds: number[][] = batch.prefixes;

  while (active.length > 0) {
    const logits = await runMergedDecoder(session, cache, inputIds, {
      encoder_hidden_states: encoderHiddenStates,
      encoder_attention_mask: encoderAttentionMask,
    });
    const rows = logitsAt(logits);
    const keep: number[] = [];
    active.forEach((row, i) => {
      const next = argmax(rows[i]);
      logProbs[row].push(rows[i][next] - logSumExp(rows[i]));
      if (next === batch.eosId) return;
      tokens[row].push(next);
      if (tokens[row].length < batch.maxNewTokens[row]) keep.push(i);
    });
    if (keep.length < active.length && keep.length > 0) {
      cache.selectRows(keep);
      encoderHiddenStates = selectBatchRows(encoderHiddenStates, keep);
      encoderAttentionMask = selectBatchRows(encoderAttentionMask, keep);
    }
    active = keep.map((i) => active[i]);
    inputIds = active.map((row) => [tokens[row][tokens[row].length - 1]]);
  }
  return { tokens, logProbs };
}
