import type { InferenceSession, Tensor } from 'onnxruntime-node';
import {
  argmax,
  bestAmong,
  type DecoderCacheLayout,
  logitsAt,
  logSumExp,
  MergedDecoderCache,
  runMergedDecoder,
  suppressTokens,
} from '@olt/shared';
import { type WhisperModelConfig } from './whisper-model-config';

export interface DecodedRow {
  /** Text tokens, without the prompt and without <|endoftext|>. */
  tokens: number[];
  language: string;
  languageProbability: number;
  /** Log-probabilities of the generated tokens, <|endoftext|> included when it was reached. */
  logprobs: number[];
}

/**
 * Batched greedy decoding with a merged decoder and its KV cache. All rows step together: first
 * <|startoftranscript|> (whose logits give language detection), then <|lang|> <|transcribe|>
 * <|notimestamps|>, then one token per step until every row has emitted <|endoftext|> or the token budget
 * is spent. Finished rows keep feeding <|endoftext|> and their outputs are ignored, so a row's tokens do
 * not depend on what else is in the batch.
 */
export class WhisperGreedyDecoder {
  private readonly languageIds: number[];
  private readonly languageById: Map<number, string>;

  constructor(
    private readonly session: InferenceSession,
    private readonly layout: DecoderCacheLayout,
    private readonly model: WhisperModelConfig,
  ) {
    this.languageIds = [...model.languages.values()];
    this.languageById = new Map([...model.languages].map(([code, id]) => [id, code]));
  }

  /** `languages[i]` undefined = detect for row i. encoderStates: [batch, frames, d_model]. */
  async decode(
    encoderStates: Tensor,
    languages: ReadonlyArray<string | undefined>,
    maxNewTokens: number,
  ): Promise<DecodedRow[]> {
    const { model } = this;
    const batch = languages.length;
    const cache = new MergedDecoderCache(this.layout, batch);
    const feeds = { encoder_hidden_states: encoderStates };

    const first = logitsAt(
      await runMergedDecoder(
        this.session,
        cache,
        languages.map(() => [model.sot]),
        feeds,
      ),
    );
    const rows: DecodedRow[] = languages.map((given, b) => {
      if (!model.multilingual) return { tokens: [], language: 'en', languageProbability: 1, logprobs: [] };
      if (given !== undefined) return { tokens: [], language: given, languageProbability: 1, logprobs: [] };
      const best = bestAmong(first[b], this.languageIds);
      return {
        tokens: [],
        language: this.languageById.get(best.id)!,
        languageProbability: best.probability,
        logprobs: [],
      };
    });

    const prompt = rows.map((row) =>
      model.multilingual
        ? [model.languages.get(row.language)!, model.transcribe!, model.noTimestamps]
        : [model.noTimestamps],
    );
    let logits = logitsAt(await runMergedDecoder(this.session, cache, prompt, feeds));
    const done = rows.map(() => false);
    for (let step = 0; step < maxNewTokens; step++) {
      const next = rows.map((row, b) => {
        if (done[b]) return model.eot;
        const scores = suppressTokens(logits[b], model.suppressTokens);
        // Ids after <|notimestamps|> are timestamp tokens: meaningless in text-only decoding.
        scores.fill(-Infinity, model.noTimestamps + 1);
        if (step === 0) suppressTokens(scores, model.beginSuppressTokens);
        const token = argmax(scores);
        row.logprobs.push(scores[token] - logSumExp(scores));
        if (token === model.eot) done[b] = true;
        else row.tokens.push(token);
        return token;
      });
      if (done.every(Boolean) || step === maxNewTokens - 1) break;
      logits = logitsAt(
        await runMergedDecoder(
          this.session,
          cache,
          next.map((t) => [t]),
          feeds,
        ),
      );
    }
    return rows;
  }
}
