import { Module } from '@nestjs/common';
import {
  ASR_ENGINE,
  ConfigModule,
  LoggingModule,
  MetricsModule,
  QueueModule,
  RedisModule,
  WorkerIdentity,
  engineThreadOptions,
  placedEngineProviders,
  resolveInferenceThreads,
} from '@olt/shared';
import { AsrWorkerRunner } from './asr/asr-worker.runner';
import { TranscribeJobHandler } from './asr/transcribe-job.handler';
import { loadWhisperEngine } from './asr/whisper';

@Module({
  imports: [
    ConfigModule.forRoot(),
    LoggingModule.forRoot({ name: 'asr-worker' }),
    MetricsModule.forRoot({ app: 'asr-worker' }),
    RedisModule.forRoot(),
    QueueModule,
  ],
  providers: [
    ...placedEngineProviders({
      kind: 'asr',
      engineToken: ASR_ENGINE,
      // In inference threads (asr.engine_threads), so the event loop keeps locks and heartbeats.
      load: (dir, candidate, config, log) =>
        loadWhisperEngine(dir, {
          precision: candidate.precision,
          executionProviders: candidate.executionProviders,
          maxNewTokens: config.asr.maxNewTokens,
          promptMaxTokens: config.asr.promptMaxTokens,
          promptBuckets: config.asr.promptBuckets,
          featureCacheBytes: config.asr.featureCacheMb * 1024 * 1024,
          ...engineThreadOptions(resolveInferenceThreads(config.asr), log),
        }),
      threads: (config) => resolveInferenceThreads(config.asr),
      // One second of silence through encoder and decoder: allocates the activations a real job needs.
      warmUp: async (engine) => {
        await engine.transcribe([{ audio: new Float32Array(16000), language: engine.languages[0] }]);
      },
    }),
    WorkerIdentity,
    TranscribeJobHandler,
    AsrWorkerRunner,
  ],
})
export class AsrWorkerModule {}
