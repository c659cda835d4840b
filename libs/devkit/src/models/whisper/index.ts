export { generateTinyWhisper, type TinyWhisperOptions } from './generate-tiny-whisper';
export {
  buildTinyWhisperVocab,
  TINY_WHISPER_LANGUAGES,
  WORDS as TINY_WHISPER_WORDS,
  WHISPER_TIMESTAMP_TOKENS,
} from './tiny-whisper-tokenizer';
export { TINY_WHISPER_TUNING } from './tiny-whisper-graphs';
export { normalizeForWer, werCounts, wordErrorRate, type WerCounts } from './word-error-rate';
