// Entry script of a Whisper inference thread (started by ThreadedWhisperEngine through EngineThreadPool):
// the engine loads and runs here, so log-mel, encoder and the decode loop never block the worker's loop.
import { type AsrRequest, hostEngineInThread } from '@olt/shared';
import type { WhisperDescription } from './threaded-whisper-engine';
import { type WhisperLoadOptions, WhisperOnnxEngine } from './whisper-onnx-engine';

hostEngineInThread<WhisperOnnxEngine, WhisperDescription>({
  load: ({ dir, options }: { dir: string; options: WhisperLoadOptions }) =>
    WhisperOnnxEngine.load(dir, options),
  describe: (engine) => ({
    info: engine.info,
    languages: [...engine.languages],
    hasTimestampTokens: engine.hasTimestampTokens,
  }),
  methods: {
    transcribe: (engine, batch: AsrRequest[]) => engine.transcribe(batch),
  },
});
