import { Module } from '@nestjs/common';
import {
  ASR_ENGINE,
  ConfigModule,
  ConfigService,
  LoggingModule,
  MetricsModule,
  QueueModule,
  RedisModule,
  WorkerIdentity,
  resolveModelDir,
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
    {
      provide: ASR_ENGINE,
      inject: [ConfigService],
      useFactory: (config: ConfigService) => {
        const asr = config.current.asr;
        return WhisperOnnxEngine.load(resolveModelDir(config.current, asr.model), {
          precision: asr.precision,
          executionProviders: asr.executionProviders,
          maxNewTokens: asr.maxNewTokens,
        });
      },
    },
    WorkerIdentity,
    TranscribeJobHandler,
    AsrWorkerRunner,
  ],
})
export class AsrWorkerModule {}
