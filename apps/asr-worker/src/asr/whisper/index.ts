export {
  loadWhisperEngine,
  ThreadedWhisperEngine,
  type WhisperDescription,
  type WhisperEngine,
} from './threaded-whisper-engine';
export {
  WhisperOnnxEngine,
  WhisperLoadOptions,
  promptPrefix,
  PROMPT_MAX_TOKENS,
} from './whisper-onnx-engine';
export { applyTimestampRules, segmentsFromTokens, TIMESTAMP_STEP_MS } from './timestamp-rules';
export {
  LogMelSpectrogram,
  LogMelSettings,
  MelReuse,
  WHISPER_LOG_MEL_DEFAULTS,
  melFilterBank,
  hertzToMel,
  melToHertz,
} from './log-mel';
export { MelFrameCache, MelFrames } from './mel-frame-cache';
