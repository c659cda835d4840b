import { Module } from '@nestjs/common';
import {
  MT_ENGINE,
  ConfigModule,
  LoggingModule,
  MetricsModule,
  QueueModule,
  RedisModule,
  TranslationCacheModule,
  WorkerIdentity,
  engineThreadOptions,
  placedEngineProviders,
  resolveInferenceThreads,
} from '@olt/shared';
import { TranslateWorkerRunner } from './translate/translate-worker.runner';
import { TranslateJobHandler } from './translate/translate-job.handler';
import { loadNllbEngine } from './translate/nllb';

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
    ...placedEngineProviders({
      kind: 'translate',
      engineToken: MT_ENGINE,
      // In inference threads (translate.engine_threads), so the event loop keeps locks and heartbeats.
      load: (dir, candidate, config, log) =>
        loadNllbEngine(dir, {
          precision: candidate.precision,
          executionProviders: candidate.executionProviders,
          maxNewTokens: config.translate.maxNewTokens,
          beamSize: config.translate.beamSize,
          ...engineThreadOptions(resolveInferenceThreads(config.translate), log),
        }),
      threads: (config) => resolveInferenceThreads(config.translate),
      // One short sentence: allocates the activations a real job needs.
      warmUp: async (engine) => {
        const langs = engine.languages;
        const source = langs.includes('eng_Latn') ? 'eng_Latn' : langs[0];
        const target = langs.find((l) => l !== source) ?? source;
        await engine.translate([{ text: 'Hello, world.', source, target }]);
      },
    }),
    WorkerIdentity,
    TranslateJobHandler,
    TranslateWorkerRunner,
  ],
})
export class TranslateWorkerModule {}
