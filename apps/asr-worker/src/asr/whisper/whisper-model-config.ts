import { failedPrecondition, readModelJson } from '@olt/shared';
import { type LogMelSettings, WHISPER_LOG_MEL_DEFAULTS } from './log-mel';

/** What decoding needs from a Whisper export's config.json, generation_config.json and preprocessor_config.json. */
export interface WhisperModelConfig {
  logMel: LogMelSettings;
  /** Encoder input frames (nSamples / hop = 3000). */
  frames: number;
  sot: number;
  eot: number;
  transcribe: number | undefined;
  translate: number | undefined;
  noTimestamps: number;
  /** <|startofprev|>: starts the previous text in a prompted decode. */
  startOfPrev: number | undefined;
  startOfLm: number | undefined;
  /** <|nospeech|> (large-v3) or <|nocaptions|> (earlier models). */
  noSpeech: number | undefined;
  /** Id of <|0.00|> when the vocabulary has timestamp tokens right after <|notimestamps|>. */
  timestampBegin: number | undefined;
  maxInitialTimestampIndex: number;
  multilingual: boolean;
  /** Whisper language code ("en") → token id, in the model's order. Empty for English-only models. */
  languages: Map<string, number>;
  suppressTokens: number[];
  beginSuppressTokens: number[];
  maxTargetPositions: number;
  isTestModel: boolean;
  /** config.json as parsed, for the decoder cache layout. */
  config: Record<string, unknown>;
}

type Json = Record<string, unknown>;

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function numbers(value: unknown): number[] {
  return Array.isArray(value) ? value.filter((v): v is number => typeof v === 'number') : [];
}

/**
 * Reads the settings of a Hugging Face Whisper export. Token ids come from generation_config.json, with the
 * tokenizer's special tokens as fallback (older exports lack some fields).
 */
export function readWhisperModelConfig(
  dir: string,
  tokenId: (token: string) => number | undefined,
): WhisperModelConfig {
  const config = readModelJson<Json>(dir, 'config.json');
  const generation = readModelJson<Json>(dir, 'generation_config.json');
  const pre = readModelJson<Json>(dir, 'preprocessor_config.json');
  const required = (value: number | undefined, what: string): number => {
    if (value === undefined)
      throw failedPrecondition(`${dir}: cannot find the ${what} token id in the model's config files`);
    return value;
  };

  const melsFromPre = num(pre.feature_size);
  const melsFromConfig = num(config.num_mel_bins);
  if (melsFromPre !== undefined && melsFromConfig !== undefined && melsFromPre !== melsFromConfig) {
    throw failedPrecondition(
      `${dir}: preprocessor_config.json feature_size ${melsFromPre} != config.json num_mel_bins ${melsFromConfig}`,
    );
  }
  const samplingRate = num(pre.sampling_rate) ?? WHISPER_LOG_MEL_DEFAULTS.samplingRate;
  const logMel: LogMelSettings = {
    nMels: melsFromPre ?? melsFromConfig ?? WHISPER_LOG_MEL_DEFAULTS.nMels,
    nFft: num(pre.n_fft) ?? WHISPER_LOG_MEL_DEFAULTS.nFft,
    hopLength: num(pre.hop_length) ?? WHISPER_LOG_MEL_DEFAULTS.hopLength,
    samplingRate,
    nSamples: num(pre.n_samples) ?? (num(pre.chunk_length) ?? 30) * samplingRate,
  };
  if (logMel.samplingRate !== 16000) {
    throw failedPrecondition(
      `${dir}: sampling_rate ${logMel.samplingRate} is not supported (the pipeline feeds 16 kHz audio)`,
    );
  }

  const langToId = (generation.lang_to_id ?? {}) as Record<string, number>;
  const languages = new Map<string, number>();
  for (const [token, id] of Object.entries(langToId).sort((a, b) => a[1] - b[1])) {
    const code = /^<\|(.+)\|>$/.exec(token)?.[1];
    if (code && typeof id === 'number') languages.set(code, id);
  }
  const multilingual = generation.is_multilingual !== false && languages.size > 0;
  const taskToId = (generation.task_to_id ?? {}) as Record<string, number>;
  const noTimestamps = required(
    num(generation.no_timestamps_token_id) ?? tokenId('<|notimestamps|>'),
    'no-timestamps',
  );
  // Real exports put <|0.00|> right after <|notimestamps|>; anything else means no timestamp tokens.
  const timestampBegin = tokenId('<|0.00|>') === noTimestamps + 1 ? noTimestamps + 1 : undefined;

  return {
    logMel,
    frames: Math.floor(logMel.nSamples / logMel.hopLength),
    sot: required(
      num(generation.decoder_start_token_id) ??
        num(config.decoder_start_token_id) ??
        tokenId('<|startoftranscript|>'),
      'start-of-transcript',
    ),
    eot: required(
      num(generation.eos_token_id) ?? num(config.eos_token_id) ?? tokenId('<|endoftext|>'),
      'end-of-text',
    ),
    transcribe: num(taskToId.transcribe) ?? tokenId('<|transcribe|>'),
    translate: num(taskToId.translate) ?? tokenId('<|translate|>'),
    noTimestamps,
    startOfPrev: num(generation.prev_sot_token_id) ?? tokenId('<|startofprev|>'),
    startOfLm: tokenId('<|startoflm|>'),
    noSpeech: tokenId('<|nospeech|>') ?? tokenId('<|nocaptions|>'),
    timestampBegin,
    maxInitialTimestampIndex: num(generation.max_initial_timestamp_index) ?? 50,
    multilingual,
    languages,
    suppressTokens: numbers(generation.suppress_tokens ?? config.suppress_tokens),
    beginSuppressTokens: numbers(generation.begin_suppress_tokens ?? config.begin_suppress_tokens),
    maxTargetPositions: num(config.max_target_positions) ?? num(generation.max_length) ?? 448,
    isTestModel: config.olt_test_model === true,
    config,
  };
}
