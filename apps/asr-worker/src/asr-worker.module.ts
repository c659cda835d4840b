import { Module } from '@nestjs/common';
import {
  ASR_ENGINE,
  ConfigModule,
  LoggingModule,
  MetricsModule,
  QueueModule,
  RedisModule,
  WorkerIdentity,
  placedEngineProviders,
} from '@olt/shared';
import { AsrWorkerRunner } from './asr/asr-worker.runner';
import { TranscribeJobHandler } from './asr/transcribe-job.handler';
import { WhisperOnnxEngine } from './asr/whisper';

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
      load: (dir, candidate, config) =>
        WhisperOnnxEngine.load(dir, {
          precision: candidate.precision,
          executionProviders: candidate.executionProviders,
          maxNewTokens: config.asr.maxNewTokens,
        }),
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
