import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import {
  type AsrEngine,
  type AsrRequest,
  type AsrResult,
  createInferenceSession,
  failedPrecondition,
  floatTensorFor,
  invalidArgument,
  mergedDecoderLayout,
  type ModelInfo,
  resolveModelFile,
  selectBatchRows,
} from '@olt/shared';
import { LogMelSpectrogram } from './log-mel';
import { MelFrameCache } from './mel-frame-cache';
import { segmentsFromTokens } from './timestamp-rules';
import { type DecodeRequest, WhisperGreedyDecoder } from './whisper-greedy-decoder';
import { readWhisperModelConfig, type WhisperModelConfig } from './whisper-model-config';

export interface WhisperLoadOptions {
  /** File variant: "auto" (best present), "fp32", "fp16", "int8", "q4", … */
  precision?: string;
  /** Execution providers to try in order, e.g. ['cuda', 'webgpu']; CPU is always the last resort. */
  executionProviders?: readonly string[];
  /** Token budget per request (default 224, Whisper's sample length); capped by max_target_positions. */
  maxNewTokens?: number;
  /** ONNX Runtime thread settings (config asr.intra_op_threads, inter_op_threads, allow_spinning). */
  intraOpThreads?: number;
  interOpThreads?: number;
  allowSpinning?: boolean;
  /** Prompt tokens kept after <|startofprev|> (config asr.prompt_max_tokens; default and cap 223). */
  promptMaxTokens?: number;
  /**
   * Cut each prompt to a shared length (config asr.prompt_buckets): the largest power of two that fits,
   * or promptMaxTokens. Rows with prompts then share decoder calls; the cut depends on the prompt alone,
   * so a row's text does not depend on what else is in its batch.
   */
  promptBuckets?: boolean;
  /**
   * Bytes of log-mel frames kept for requests with a featureKey (config asr.feature_cache_mb), so that an
   * open segment's next decode computes only the frames of its new audio; 0 = off.
   */
  featureCacheBytes?: number;
  /** Called with the rows of each decoder call (tests and the batching benchmark). */
  onDecoderCall?: (rows: number) => void;
}

const DEFAULT_MAX_NEW_TOKENS = 224;

/** Whisper keeps the last n_ctx / 2 - 1 = 223 tokens of the previous text (openai/whisper decoding.py). */
export const PROMPT_MAX_TOKENS = 223;

/**
 * The decoder prefix for prompt conditioning: <|startofprev|> and the last PROMPT_MAX_TOKENS tokens of the
 * previous text; [] without a prompt or when the model has no <|startofprev|>.
 */
export function promptPrefix(
  promptTokens: readonly number[],
  startOfPrev: number | undefined,
  options: { maxTokens?: number; buckets?: boolean } = {},
): number[] {
  if (promptTokens.length === 0 || startOfPrev === undefined) return [];
  const max = Math.min(options.maxTokens ?? PROMPT_MAX_TOKENS, PROMPT_MAX_TOKENS);
  let keep = Math.min(promptTokens.length, max);
  // The exports take no decoder attention mask, so rows cannot be padded: cut to a few shared lengths.
  if (options.buckets && keep < max) keep = 2 ** Math.floor(Math.log2(keep));
  return [startOfPrev, ...promptTokens.slice(promptTokens.length - keep)];
}

/**
 * Whisper on ONNX Runtime from a Hugging Face export directory (config.json, generation_config.json,
 * preprocessor_config.json, tokenizer.json, onnx/encoder_model*.onnx, onnx/decoder_model_merged*.onnx).
 * One encoder call per batch, then batched greedy decoding with the KV cache; language detection for rows
 * without a language; the no-speech probability of every row; prompt conditioning (the previous text after
 * <|startofprev|>); segment timestamps from the timestamp tokens when a request asks and the model has them.
 * Rows whose decoder prefixes differ in length (prompts) decode in separate decoder calls, because the
 * exports take no decoder attention mask to pad them with (the encoder still runs once for the batch);
 * promptBuckets cuts prompts to a few shared lengths so that they rarely differ.
 */
export class WhisperOnnxEngine implements AsrEngine {
  private readonly features: LogMelSpectrogram;
  private readonly featureCache?: MelFrameCache;
  /** Whisper language codes this model knows, in token order (["en"] for English-only models). */
  readonly languages: readonly string[];

  private constructor(
    readonly info: ModelInfo,
    private readonly model: WhisperModelConfig,
    private readonly tokenizer: Tokenizer,
    private readonly encoder: InferenceSession,
    private readonly decoderSession: InferenceSession,
    private readonly decoder: WhisperGreedyDecoder,
    private readonly maxNewTokens: number,
    private readonly prompts: { maxTokens?: number; buckets?: boolean },
    private readonly onDecoderCall?: (rows: number) => void,
    featureCacheBytes = 0,
  ) {
    this.features = new LogMelSpectrogram(model.logMel);
    if (featureCacheBytes > 0) this.featureCache = new MelFrameCache(featureCacheBytes);
    this.languages = model.multilingual ? [...model.languages.keys()] : ['en'];
  }

  static async load(dir: string, options: WhisperLoadOptions = {}): Promise<WhisperOnnxEngine> {
    const tokenizer = loadTokenizer(dir);
    const model = readWhisperModelConfig(dir, (t) => tokenizer.token_to_id(t));
    if (model.multilingual && model.transcribe === undefined) {
      throw failedPrecondition(`${dir}: multilingual model without a <|transcribe|> token id (task_to_id)`);
    }
    const encoderFile = resolveModelFile(dir, 'encoder_model', options.precision ?? 'auto');
    // The decoder must match the encoder's variant (an fp16 encoder feeds float16 states).
    const decoderFile = resolveModelFile(dir, 'decoder_model_merged', encoderFile.precision);
    const sessionOptions = {
      executionProviders: options.executionProviders,
      intraOpThreads: options.intraOpThreads,
      interOpThreads: options.interOpThreads,
      allowSpinning: options.allowSpinning,
    };
    const encoder = await createInferenceSession(encoderFile.file, sessionOptions);
    let decoder: Awaited<ReturnType<typeof createInferenceSession>> | undefined;
    try {
      decoder = await createInferenceSession(decoderFile.file, sessionOptions);
      const features = encoder.session.inputMetadata.find((m) => m.name === 'input_features');
      const mels = features && features.isTensor ? features.shape[1] : undefined;
      if (typeof mels === 'number' && mels !== model.logMel.nMels) {
        throw failedPrecondition(
          `${encoderFile.file} expects ${mels} mel bins but the model's config says ${model.logMel.nMels}`,
        );
      }
      const greedy = new WhisperGreedyDecoder(
        decoder.session,
        mergedDecoderLayout(decoder.session, model.config),
        model,
      );
      const ep =
        encoder.executionProvider === decoder.executionProvider
          ? encoder.executionProvider
          : `${encoder.executionProvider}+${decoder.executionProvider}`;
      const info: ModelInfo = {
        id: `${basename(dir)}@${encoderFile.precision}`,
        path: dir,
        executionProvider: ep,
        precision: encoderFile.precision,
        isTestModel: model.isTestModel,
      };
      // 4 = the longest prompt (<|startoftranscript|> <|lang|> <|transcribe|> <|notimestamps|>).
      const budget = Math.max(
        1,
        Math.min(options.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS, model.maxTargetPositions - 4),
      );
      return new WhisperOnnxEngine(
        info,
        model,
        tokenizer,
        encoder.session,
        decoder.session,
        greedy,
        budget,
        { maxTokens: options.promptMaxTokens, buckets: options.promptBuckets },
        options.onDecoderCall,
        options.featureCacheBytes,
      );
    } catch (err) {
      await encoder.session.release();
      await decoder?.session.release();
      throw err;
    }
  }

  async transcribe(batch: AsrRequest[]): Promise<AsrResult[]> {
    const languages = batch.map((request, i) => this.checkRequest(request, i));
    const results: AsrResult[] = new Array(batch.length);
    // Zero-length audio has nothing to decode: empty text without running the model; with no language
    // given there is nothing to detect from, so the model's first language with probability 0.
    const audible = batch.map((r, i) => i).filter((i) => batch[i].audio.length > 0);
    for (let i = 0; i < batch.length; i++) {
      if (batch[i].audio.length === 0) {
        const language = languages[i] ?? this.languages[0];
        results[i] = {
          text: '',
          language,
          languageProbability: languages[i] ? 1 : 0,
          confidence: 0,
          tokens: [],
          ...(batch[i].timestamps ? { segments: [] } : {}),
        };
      }
    }
    if (audible.length === 0) return results;

    const states = await this.encode(audible.map((i) => batch[i]));
    const requests: DecodeRequest[] = audible.map((i) => ({
      language: languages[i],
      prefix: this.prefixFor(batch[i].prompt),
      timestamps: batch[i].timestamps === true,
    }));
    const groups = new Map<string, number[]>(); // positions in `audible` sharing a prefix shape
    requests.forEach((r, k) => {
      const key = `${r.prefix.length}:${r.timestamps}`;
      groups.set(key, [...(groups.get(key) ?? []), k]);
    });
    for (const members of groups.values()) {
      const groupStates = groups.size === 1 ? states : selectBatchRows(states, members);
      this.onDecoderCall?.(members.length);
      const rows = await this.decoder.decode(
        groupStates,
        members.map((k) => requests[k]),
        this.maxNewTokens,
      );
      rows.forEach((row, j) => {
        const index = audible[members[j]];
        const sum = row.logprobs.reduce((a, b) => a + b, 0);
        const avgLogprob = row.logprobs.length ? sum / row.logprobs.length : -Infinity;
        const text = this.decodeText(row.tokens);
        const result: AsrResult = {
          text,
          language: row.language,
          languageProbability: row.languageProbability,
          confidence: Math.exp(avgLogprob),
          tokens: row.tokens,
          noSpeechProbability: row.noSpeechProbability,
          avgLogprob,
        };
        if (batch[index].timestamps) {
          const durationMs = Math.round((batch[index].audio.length / this.model.logMel.samplingRate) * 1000);
          result.segments =
            this.model.timestampBegin !== undefined
              ? segmentsFromTokens(row.sampled, this.model.timestampBegin, durationMs, (ids) =>
                  this.decodeText(ids),
                )
              : text
                ? [{ text, startMs: 0, endMs: durationMs }] // no timestamp tokens: the whole clip
                : [];
        }
        results[index] = result;
      });
    }
    return results;
  }

  /** True when the model has timestamp tokens (segment times come from the model, not the clip bounds). */
  get hasTimestampTokens(): boolean {
    return this.model.timestampBegin !== undefined;
  }

  private decodeText(ids: number[]): string {
    return this.tokenizer.decode(ids, { skip_special_tokens: true }).trim();
  }

  private prefixFor(prompt: string | undefined): number[] {
    const text = prompt?.trim();
    if (!text) return [];
    // As Whisper: the previous text with a leading space, its last 223 tokens.
    const ids = this.tokenizer.encode(` ${text}`, { add_special_tokens: false }).ids;
    return promptPrefix(ids, this.model.startOfPrev, this.prompts);
  }

  async dispose(): Promise<void> {
    await this.encoder.release();
    await this.decoderSession.release();
  }

  /** Validates one request; returns its language, or undefined to detect. */
  private checkRequest(request: AsrRequest, index: number): string | undefined {
    const { nSamples, samplingRate } = this.model.logMel;
    if (request.audio.length > nSamples) {
      throw invalidArgument(
        `request ${index}: ${(request.audio.length / samplingRate).toFixed(2)} s of audio is longer than ` +
          `Whisper's ${nSamples / samplingRate} s window; cut it into shorter segments`,
      );
    }
    const language = request.language?.trim().toLowerCase();
    if (!language || language === 'auto') return this.model.multilingual ? undefined : 'en';
    if (!this.languages.includes(language)) {
      throw invalidArgument(
        `request ${index}: language "${request.language}" is not supported by ${this.info.id}; ` +
          `use one of ${this.languages.join(', ')} or leave it empty to detect`,
      );
    }
    return language;
  }

  /** Log-mel features of every clip, one encoder run for the batch → last_hidden_state. */
  private async encode(clips: AsrRequest[]): Promise<Tensor> {
    const { nMels } = this.model.logMel;
    const frames = this.model.frames;
    const input = new Float32Array(clips.length * nMels * frames);
    clips.forEach(({ audio, featureKey }, b) => {
      const cache = this.featureCache;
      const reuse = cache && featureKey !== undefined ? { key: featureKey, cache } : undefined;
      input.set(this.features.compute(audio, reuse), b * nMels * frames);
    });
    const feeds = {
      input_features: floatTensorFor(this.encoder, 'input_features', input, [clips.length, nMels, frames]),
    };
    const outputs = await this.encoder.run(feeds);
    return outputs.last_hidden_state as Tensor;
  }
}

function loadTokenizer(dir: string): Tokenizer {
  const read = (name: string, required: boolean): object => {
    try {
      return JSON.parse(readFileSync(join(dir, name), 'utf8')) as object;
    } catch (err) {
      if (!required) return {};
      throw failedPrecondition(
        `${dir}: cannot read ${name} (${(err as Error).message}); is this a Whisper export?`,
      );
    }
  };
  return new Tokenizer(read('tokenizer.json', true), read('tokenizer_config.json', false));
}
