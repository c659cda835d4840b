import { logSumExp } from '@olt/shared';
import type { AsrSegment } from '@olt/shared';

/** Whisper's timestamp tokens are 0.02 s apart: <|0.00|>, <|0.02|>, … <|30.00|>. */
export const TIMESTAMP_STEP_MS = 20;

export interface TimestampVocab {
  /** Id of <|0.00|>; every id from here to the end of the vocabulary is a timestamp. */
  timestampBegin: number;
  eot: number;
  /** The first timestamp may be at most this index (generation_config max_initial_timestamp_index, 50 = 1 s). */
  maxInitialTimestampIndex: number;
}

/**
 * Whisper's timestamp grammar (openai/whisper decoding.py ApplyTimestampRules), applied in place to one
 * row's scores before the greedy pick. `sampled` = tokens generated so far (timestamps included, prompt
 * excluded):
 * - the first token is a timestamp no later than max_initial_timestamp;
 * - timestamps come in pairs (end of one segment, start of the next) except the last, and never go back;
 * - after a lone timestamp that closes text, only a timestamp or <|endoftext|> may follow;
 * - when the timestamps together are more likely than the best text token, a timestamp is forced.
 */
export function applyTimestampRules(
  scores: Float32Array,
  sampled: readonly number[],
  v: TimestampVocab,
): void {
  const { timestampBegin: tb, eot } = v;
  const isTs = (t: number | undefined) => t !== undefined && t >= tb;
  const n = sampled.length;
  if (n === 0) {
    scores.fill(-Infinity, 0, tb);
    scores.fill(-Infinity, tb + v.maxInitialTimestampIndex + 1);
  } else {
    const last = isTs(sampled[n - 1]);
    const penultimateTs = n < 2 || isTs(sampled[n - 2]);
    if (last) {
      if (penultimateTs) scores.fill(-Infinity, tb);
      else scores.fill(-Infinity, 0, eot);
    }
    let lastTs = -1;
    for (let i = n - 1; i >= 0; i--) {
      if (isTs(sampled[i])) {
        lastTs = sampled[i];
        break;
      }
    }
    if (lastTs >= 0) {
      // A closing timestamp may repeat as the next opening one; otherwise time only moves forward.
      const firstAllowed = last && !penultimateTs ? lastTs : lastTs + 1;
      scores.fill(-Infinity, tb, Math.min(firstAllowed, scores.length));
    }
  }
  const all = logSumExp(scores);
  if (all === -Infinity) return;
  const timestampMass = logSumExp(scores.subarray(tb));
  let bestText = -Infinity;
  for (let i = 0; i < tb; i++) if (scores[i] > bestText) bestText = scores[i];
  if (timestampMass > bestText) scores.fill(-Infinity, 0, tb);
}

/**
 * Splits tokens decoded with timestamps into segments. Text after the last timestamp (no closing one, as
 * when the window ends mid-sentence) runs to the end of the audio, as Whisper's transcribe() does.
 */
export function segmentsFromTokens(
  sampled: readonly number[],
  timestampBegin: number,
  durationMs: number,
  decode: (ids: number[]) => string,
): AsrSegment[] {
  const segments: AsrSegment[] = [];
  let start: number | undefined;
  let text: number[] = [];
  const push = (endMs: number) => {
    const value = decode(text).trim();
    if (value) segments.push({ text: value, startMs: start ?? 0, endMs: Math.max(endMs, start ?? 0) });
    text = [];
    start = undefined;
  };
  for (const t of sampled) {
    if (t < timestampBegin) {
      text.push(t);
      continue;
    }
    const ms = (t - timestampBegin) * TIMESTAMP_STEP_MS;
    if (text.length > 0) push(ms);
    else start = ms;
  }
  if (text.length > 0) push(durationMs);
  return segments;
}
