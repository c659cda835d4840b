import { Module } from '@nestjs/common';
import {
  MT_ENGINE,
  ConfigModule,
  ConfigService,
  LoggingModule,
  MetricsModule,
  QueueModule,
  RedisModule,
  TranslationCacheModule,
  WorkerIdentity,
  resolveModelDir,
} from '@olt/shared';
import { TranslateWorkerRunner } from './translate/translate-worker.runner';
import { TranslateJobHandler } from './translate/translate-job.handler';
import { NllbOnnxEngine } from './translate/nllb';

@Module({
  imports: [
    ConfigModule.forRoot(),
    LoggingModule.forRoot({ name: 'translate-worker' }),
    MetricsModule.forRoot({ app: 'translate-worker' }),
    RedisModule.forRoot(),
    QueueModule,
    TranslationCacheModule,
  ],
  providers: [
    {
      provide: MT_ENGINE,
      inject: [ConfigService],
      useFactory: (config: ConfigService) => {
        const mt = config.current.translate;
        return NllbOnnxEngine.load(resolveModelDir(config.current, mt.model), {
          precision: mt.precision,
          executionProviders: mt.executionProviders,
          maxNewTokens: mt.maxNewTokens,
        });
      },
    },
    WorkerIdentity,
    TranslateJobHandler,
    TranslateWorkerRunner,
  ],
})
export class TranslateWorkerModule {}
