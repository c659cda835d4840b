import { type Tensor } from 'onnxruntime-node';
import { float16ToFloat32 } from './float16';

/** Index of the largest value in row[start, end); ties go to the lowest index. -1 for an empty range. */
export function argmax(row: ArrayLike<number>, start = 0, end = row.length): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let i = start; i < end; i++) {
    if (row[i] > bestValue || best < 0) {
      best = i;
      bestValue = row[i];
    }
  }
  return best;
}

/** log(sum(exp(row))) computed stably; -Infinity when every entry is -Infinity. */
export function logSumExp(row: ArrayLike<number>, ids?: ArrayLike<number>): number {
  const n = ids ? ids.length : row.length;
  let max = -Infinity;
  for (let k = 0; k < n; k++) max = Math.max(max, row[ids ? ids[k] : k]);
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let k = 0; k < n; k++) sum += Math.exp(row[ids ? ids[k] : k] - max);
  return max + Math.log(sum);
}

/** A new row with log-probabilities: row - logSumExp(row). */
export function logSoftmax(row: ArrayLike<number>): Float32Array {
  const lse = logSumExp(row);
  const out = new Float32Array(row.length);
  for (let i = 0; i < row.length; i++) out[i] = row[i] - lse;
  return out;
}

/** Sets the given token ids to -Infinity in place (ids outside the row are ignored). */
export function suppressTokens(row: Float32Array, ids: Iterable<number>): Float32Array {
  for (const id of ids) if (id >= 0 && id < row.length) row[id] = -Infinity;
  return row;
}

/**
 * Softmax restricted to a set of ids (e.g. Whisper's language tokens): returns the best id and its
 * probability among the set only.
 */
export function bestAmong(
  row: ArrayLike<number>,
  ids: readonly number[],
): { id: number; probability: number } {
  if (ids.length === 0) throw new Error('bestAmong needs at least one candidate id');
  let id = ids[0];
  for (const candidate of ids) if (row[candidate] > row[id]) id = candidate;
  return { id, probability: Math.exp(row[id] - logSumExp(row, ids)) };
}

/**
 * Copies the logits of each batch row at one sequence position out of a [batch, seq, vocab] tensor as
 * float32 (fp16 exports return float16 bits). position -1 = last position.
 */
export function logitsAt(logits: Tensor, position = -1): Float32Array[] {
  const [batch, seq, vocab] = logits.dims;
  const pos = position < 0 ? seq + position : position;
  const rows: Float32Array[] = [];
  for (let b = 0; b < batch; b++) {
    const offset = (b * seq + pos) * vocab;
    if (logits.type === 'float16') {
      rows.push(float16ToFloat32((logits.data as Uint16Array).subarray(offset, offset + vocab)));
    } else if (logits.type === 'float32') {
      rows.push((logits.data as Float32Array).slice(offset, offset + vocab));
    } else {
      throw new Error(`logits of type ${logits.type} are not supported (float32 or float16 expected)`);
    }
  }
  return rows;
}
