import {
  type DecoderCacheLayout,
  logitsAt,
  logSumExp,
  MergedDecoderCache,
  runMergedDecoder,
  selectBatchRows,
} from '@olt/shared';
import type { InferenceSession } from 'onnxruntime-node';
import type { GreedyBatch, GreedyOutput } from './greedy-batch-decoder';

export interface BeamBatch extends GreedyBatch {
  /** Beams per row, at least 1 (1 is a beam search of width 1, not greedy decoding). */
  beamSize: number;
  /** Exponent of the length in a hypothesis' score; 1.0 is HF generate's default. */
  lengthPenalty?: number;
}

export interface BeamOutput extends GreedyOutput {
  /** Score of the chosen hypothesis per row: sum of its log-probabilities / (tokens + 1) ** lengthPenalty. */
  scores: number[];
}

interface Beam {
  tokens: number[];
  logProbs: number[];
  sum: number;
  /** Row of this beam in the batch fed to the last decoder run. */
  batchRow: number;
}

interface Hypothesis {
  tokens: number[];
  logProbs: number[];
  score: number;
}

interface Candidate {
  beam: Beam;
  token: number;
  logProb: number;
  sum: number;
}

/**
 * Length-normalised score as transformers' BeamHypotheses: the length counts what follows the decoder
 * start token, i.e. the forced target-language token and the content tokens, but not the final </s>.
 */
export function hypothesisScore(sum: number, contentTokens: number, lengthPenalty = 1): number {
  return sum / (contentTokens + 1) ** lengthPenalty;
}

/** The k largest entries of a row as [index, value], best first (ties to the lower index). */
function topK(row: Float32Array, k: number): Array<[number, number]> {
  const best: Array<[number, number]> = [];
  for (let i = 0; i < row.length; i++) {
    const v = row[i];
    if (best.length === k && v <= best[k - 1][1]) continue;
    let at = best.length;
    while (at > 0 && best[at - 1][1] < v) at--;
    best.splice(at, 0, [i, v]);
    if (best.length > k) best.pop();
  }
  return best;
}

/** The B best finished hypotheses of one row, worst last. */
class FinishedHypotheses {
  readonly list: Hypothesis[] = [];

  constructor(private readonly beamSize: number) {}

  add(hyp: Hypothesis): void {
    if (this.list.length === this.beamSize && hyp.score <= this.list[this.list.length - 1].score) return;
    let at = this.list.length;
    while (at > 0 && this.list[at - 1].score < hyp.score) at--;
    this.list.splice(at, 0, hyp);
    if (this.list.length > this.beamSize) this.list.pop();
  }

  /** HF's early_stopping=false rule: B hypotheses, none worse than the best live beam's score now. */
  isDone(bestLiveScore: number): boolean {
    return this.list.length === this.beamSize && this.list[this.list.length - 1].score >= bestLiveScore;
  }
}

/**
 * Beam search over a whole batch with a merged decoder: every live beam of every row goes through one
 * decoder run per step. The first run takes one copy of each row (all its beams would be identical), the
 * top candidates then expand it to B cache rows with selectRows, which afterwards reorders (and duplicates)
 * cache rows to follow the surviving beams and drops rows that are done. Rows stay independent, so a row
 * decodes the same alone or in any batch. Scoring follows transformers' beam search with
 * early_stopping=false: 2B candidates per row, </s> accepted only among the top B, length penalty on
 * hypothesis length.
 */
export async function beamDecodeBatch(
  session: InferenceSession,
  layout: DecoderCacheLayout,
  batch: BeamBatch,
): Promise<BeamOutput> {
  const size = batch.prefixes.length;
  const beamSize = batch.beamSize;
  const lengthPenalty = batch.lengthPenalty ?? 1;
  const finished = Array.from({ length: size }, () => new FinishedHypotheses(beamSize));
  // Live beams per row; a row that is done has none. Before the first run each row has one empty beam.
  let live: Beam[][] = Array.from({ length: size }, (_, row) => [
    { tokens: [], logProbs: [], sum: 0, batchRow: row },
  ]);
  const cache = new MergedDecoderCache(layout, size);
  let encoderHiddenStates = batch.encoderHiddenStates;
  let encoderAttentionMask = batch.encoderAttentionMask;
  let inputIds: number[][] = batch.prefixes;

  while (inputIds.length > 0) {
    const logits = logitsAt(
      await runMergedDecoder(session, cache, inputIds, {
        encoder_hidden_states: encoderHiddenStates,
        encoder_attention_mask: encoderAttentionMask,
      }),
    );
    const next: Beam[][] = live.map((beams, row) => (beams.length === 0 ? [] : stepRow(row, beams, logits)));
    // Encoder states are indexed by batch row too: the parent's row is the one to copy.
    const select: number[] = [];
    next.forEach((beams) =>
      beams.forEach((beam) => {
        select.push(beam.batchRow);
        beam.batchRow = select.length - 1;
      }),
    );
    live = next;
    if (select.length === 0) break;
    cache.selectRows(select);
    encoderHiddenStates = selectBatchRows(encoderHiddenStates, select);
    encoderAttentionMask = selectBatchRows(encoderAttentionMask, select);
    inputIds = next.flatMap((beams) => beams.map((beam) => [beam.tokens[beam.tokens.length - 1]]));
  }

  const best = finished.map((hyps) => hyps.list[0]);
  return {
    tokens: best.map((h) => h.tokens),
    logProbs: best.map((h) => h.logProbs),
    scores: best.map((h) => h.score),
  };

  /** One step of one row: returns its next live beams (batchRow = parent's row), none when it is done. */
  function stepRow(row: number, beams: Beam[], logits: Float32Array[]): Beam[] {
    const candidates: Candidate[] = [];
    for (const beam of beams) {
      const scores = logits[beam.batchRow];
      const lse = logSumExp(scores);
      for (const [token, value] of topK(scores, 2 * beamSize)) {
        const logProb = value - lse;
        candidates.push({ beam, token, logProb, sum: beam.sum + logProb });
      }
    }
    // Stable sort: equal sums keep beam order, then token order, as a flattened topk would.
    candidates.sort((a, b) => b.sum - a.sum);
    const nextBeams: Beam[] = [];
    for (const [rank, c] of candidates.slice(0, 2 * beamSize).entries()) {
      if (c.token === batch.eosId) {
        // transformers only finishes hypotheses whose </s> ranks among the top B candidates.
        if (rank < beamSize) {
          finished[row].add({
            tokens: c.beam.tokens,
            logProbs: [...c.beam.logProbs, c.logProb],
            score: hypothesisScore(c.sum, c.beam.tokens.length, lengthPenalty),
          });
        }
      } else {
        nextBeams.push({
          tokens: [...c.beam.tokens, c.token],
          logProbs: [...c.beam.logProbs, c.logProb],
          sum: c.sum,
          batchRow: c.beam.batchRow,
        });
      }
      if (nextBeams.length === beamSize) break;
    }
    const length = nextBeams[0]?.tokens.length ?? 0;
    if (nextBeams.length === 0 || length >= batch.maxNewTokens[row]) {
      // Out of tokens: the live beams compete with the finished ones as they are.
      for (const beam of nextBeams) {
        finished[row].add({
          tokens: beam.tokens,
          logProbs: beam.logProbs,
          score: hypothesisScore(beam.sum, beam.tokens.length, lengthPenalty),
        });
      }
      return [];
    }
    const bestLive = hypothesisScore(nextBeams[0].sum, length, lengthPenalty);
    return finished[row].isDone(bestLive) ? [] : nextBeams;
  }
}
