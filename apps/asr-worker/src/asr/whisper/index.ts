export { WhisperOnnxEngine, WhisperLoadOptions } from './whisper-onnx-engine';
export {
  LogMelSpectrogram,
  LogMelSettings,
  WHISPER_LOG_MEL_DEFAULTS,
  melFilterBank,
  hertzToMel,
  melToHertz,
} from './log-mel';
