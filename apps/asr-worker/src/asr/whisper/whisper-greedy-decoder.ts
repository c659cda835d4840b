import type { InferenceSession, Tensor } from 'onnxruntime-node';
import {
  argmax,
  bestAmong,
  type DecoderCacheLayout,
  invalidArgument,
  logitsAt,
  logSumExp,
  MergedDecoderCache,
  runMergedDecoder,
  suppressTokens,
} from '@olt/shared';
import { applyTimestampRules, type TimestampVocab } from './timestamp-rules';
import { type WhisperModelConfig } from './whisper-model-config';

/** What one row of a decoder call asks for. */
export interface DecodeRequest {
  /** Whisper code, or undefined to detect. */
  language: string | undefined;
  /**
   * Tokens fed before <|startoftranscript|>: [<|startofprev|>, …previous text] or []. Every row of one call
   * has the same length (the exports take no decoder attention mask, so rows cannot be padded).
   */
  prefix: readonly number[];
  /** Decode with timestamp tokens (same for every row of one call: it changes the prompt length). */
  timestamps: boolean;
}

export interface DecodedRow {
  /** Text tokens, without the prompt, timestamps and <|endoftext|>. */
  tokens: number[];
  /** Every generated token (timestamps included), without <|endoftext|>. */
  sampled: number[];
  language: string;
  languageProbability: number;
  /** Probability of the no-speech token at <|startoftranscript|> over the whole vocabulary (0 if none). */
  noSpeechProbability: number;
  /** Log-probabilities of the generated tokens, <|endoftext|> included when it was reached. */
  logprobs: number[];
}

/**
 * Batched greedy decoding with a merged decoder and its KV cache. All rows step together: first the
 * prefix and <|startoftranscript|> (whose logits give language detection and the no-speech probability),
 * then <|lang|> <|transcribe|> [<|notimestamps|>], then one token per step until every row has emitted
 * <|endoftext|> or the token budget is spent. Finished rows keep feeding <|endoftext|> and their outputs
 * are ignored, so a row's tokens do not depend on what else is in the batch.
 */
export class WhisperGreedyDecoder {
  private readonly languageIds: number[];
  private readonly languageById: Map<number, string>;
  /** Control tokens that never belong in a transcript (Whisper suppresses the same ones). */
  private readonly controlIds: number[];
  private readonly timestampVocab?: TimestampVocab;

  constructor(
    private readonly session: InferenceSession,
    private readonly layout: DecoderCacheLayout,
    private readonly model: WhisperModelConfig,
  ) {
    this.languageIds = [...model.languages.values()];
    this.languageById = new Map([...model.languages].map(([code, id]) => [id, code]));
    this.controlIds = [
      model.sot,
      model.noTimestamps,
      model.transcribe,
      model.translate,
      model.startOfPrev,
      model.startOfLm,
      model.noSpeech,
      ...this.languageIds,
    ].filter((id): id is number => id !== undefined);
    if (model.timestampBegin !== undefined) {
      this.timestampVocab = {
        timestampBegin: model.timestampBegin,
        eot: model.eot,
        maxInitialTimestampIndex: model.maxInitialTimestampIndex,
      };
    }
  }

  /** True when the model has timestamp tokens (else `timestamps` requests decode text only). */
  get hasTimestamps(): boolean {
    return this.timestampVocab !== undefined;
  }

  /** encoderStates: [rows, frames, d_model], one per request, in order. */
  async decode(
    encoderStates: Tensor,
    requests: readonly DecodeRequest[],
    maxNewTokens: number,
  ): Promise<DecodedRow[]> {
    const { model } = this;
    const batch = requests.length;
    const prefixLength = requests[0]?.prefix.length ?? 0;
    const timestamps = (requests[0]?.timestamps ?? false) && this.hasTimestamps;
    if (requests.some((r) => r.prefix.length !== prefixLength || r.timestamps !== requests[0].timestamps)) {
      throw invalidArgument('rows of one decoder call need equal prefix lengths and timestamp modes');
    }
    const cache = new MergedDecoderCache(this.layout, batch);
    const feeds = { encoder_hidden_states: encoderStates };

    const first = logitsAt(
      await runMergedDecoder(
        this.session,
        cache,
        requests.map((r) => [...r.prefix, model.sot]),
        feeds,
      ),
    );
    const rows: DecodedRow[] = requests.map((request, b) => {
      const noSpeechProbability =
        model.noSpeech === undefined ? 0 : Math.exp(first[b][model.noSpeech] - logSumExp(first[b]));
      const row = { tokens: [], sampled: [], logprobs: [], noSpeechProbability };
      if (!model.multilingual) return { ...row, language: 'en', languageProbability: 1 };
      if (request.language !== undefined)
        return { ...row, language: request.language, languageProbability: 1 };
      const best = bestAmong(first[b], this.languageIds);
      return { ...row, language: this.languageById.get(best.id)!, languageProbability: best.probability };
    });

    const tail = timestamps ? [] : [model.noTimestamps];
    const prompt = rows.map((row) =>
      model.multilingual ? [model.languages.get(row.language)!, model.transcribe!, ...tail] : tail,
    );
    let logits =
      prompt[0].length > 0 ? logitsAt(await runMergedDecoder(this.session, cache, prompt, feeds)) : first; // English-only with timestamps: <|startoftranscript|> is the whole prompt.
    // Whisper's sample length is half the context; the prefix and prompt take their share of it.
    const budget = Math.max(
      1,
      Math.min(maxNewTokens, model.maxTargetPositions - cache.length - 1, model.maxTargetPositions / 2),
    );
    const done = rows.map(() => false);
    for (let step = 0; step < budget; step++) {
      const next = rows.map((row, b) => {
        if (done[b]) return model.eot;
        const scores = suppressTokens(logits[b], model.suppressTokens);
        suppressTokens(scores, this.controlIds);
        if (timestamps) applyTimestampRules(scores, row.sampled, this.timestampVocab!);
        // Ids after <|notimestamps|> are timestamp tokens: meaningless in text-only decoding.
        else scores.fill(-Infinity, model.noTimestamps + 1);
        if (step === 0) suppressTokens(scores, model.beginSuppressTokens);
        const token = argmax(scores);
        row.logprobs.push(scores[token] - logSumExp(scores));
        if (token === model.eot) done[b] = true;
        else {
          row.sampled.push(token);
          if (!timestamps || token < this.timestampVocab!.timestampBegin) row.tokens.push(token);
        }
        return token;
      });
      if (done.every(Boolean) || step === budget - 1) break;
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
