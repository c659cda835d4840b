export { generateTinyWhisper } from './generate-tiny-whisper';
export {
  buildTinyWhisperVocab,
  TINY_WHISPER_LANGUAGES,
  WORDS as TINY_WHISPER_WORDS,
} from './tiny-whisper-tokenizer';
export { TINY_WHISPER_TUNING } from './tiny-whisper-graphs';
