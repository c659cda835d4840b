/** One piece of 16 kHz mono float audio to transcribe. */
export interface AsrRequest {
  /** 16 kHz mono samples in [-1, 1]. At most 30 s (Whisper's window); longer input is an error. */
  audio: Float32Array;
  /** Whisper language code ("en", "es") or undefined to detect. */
  language?: string;
  /**
   * Previous final text of the same stream, for prompt conditioning: Whisper feeds it after <|startofprev|>
   * (its last 223 tokens). The result never contains it.
   */
  prompt?: string;
  /** Ask for segment timestamps (`AsrResult.segments`). */
  timestamps?: boolean;
  /**
   * Names audio that grows between requests (an open segment's interim decodes, then its final): an engine
   * may reuse what it computed for the part seen before. Engines compare the audio itself, so a key reused
   * for other audio costs only the saving, never a wrong result.
   */
  featureKey?: string;
}

/** A stretch of the result with its position in the request's audio. */
export interface AsrSegment {
  text: string;
  /** Milliseconds from the start of the request's audio. */
  startMs: number;
  endMs: number;
}

export interface AsrResult {
  text: string;
  /** Whisper language code of the text. */
  language: string;
  /** Probability of `language` when it was detected; 1 when it was given. */
  languageProbability: number;
  /** Mean token probability of the decoded text, 0..1. */
  confidence: number;
  /** Token ids produced, special tokens excluded (for tests and agreement policies). */
  tokens: number[];
  /**
   * Probability of Whisper's no-speech token (<|nocaptions|> / <|nospeech|>) at the first decoding step; 0
   * for models without one. A hallucination signal: high on silence and music.
   */
  noSpeechProbability?: number;
  /** Mean log-probability of the decoded tokens (<|endoftext|> included); -Infinity when none. */
  avgLogprob?: number;
  /** Segments with timestamps, when the request asked for them. */
  segments?: AsrSegment[];
}

export interface ModelInfo {
  /** Stable id used in cache keys and metrics, e.g. "whisper-base@int8". */
  id: string;
  /** Directory the model was loaded from. */
  path: string;
  /** ONNX Runtime execution provider that loaded, e.g. "cpu", "cuda", "webgpu". */
  executionProvider: string;
  /** File suffix variant: "fp32", "fp16", "int8", "q4", … */
  precision: string;
  /** True for the generated test models (their text is deterministic nonsense). */
  isTestModel: boolean;
}

/** Port: speech recognition. Implementations decode a batch; results keep the request order. */
export interface AsrEngine {
  readonly info: ModelInfo;
  transcribe(batch: AsrRequest[]): Promise<AsrResult[]>;
  dispose(): Promise<void>;
}

export const ASR_ENGINE = Symbol('AsrEngine');
