import { Module } from '@nestjs/common';
import {
  ConfigModule,
  LoggingModule,
  MetricsModule,
  QueueModule,
  RedisModule,
  TranslationCacheModule,
} from '@olt/shared';
import { AsrDispatcher } from './asr/asr-dispatcher.service';
import { SileroVadModel } from './audio';
import { HealthController } from './health/health.controller';
import { ReadinessService } from './health/readiness.service';
import { GatewayIdentity } from './infra/gateway-identity';
import { LanguagesController } from './languages/languages.controller';
import { ReplyRouter } from './results/reply-router.service';
import { AudioPipelineFactory } from './session/audio-pipeline.factory';
import { SessionRegistry } from './session/session-registry';
import { SessionService } from './session/session.service';
import { StreamTranslateController } from './session/stream-translate.controller';
import { ApiKeyAuthenticator } from './tenancy/api-key-authenticator';
import { TranslateTextController } from './translate/translate-text.controller';
import { TranslationService } from './translate/translation.service';

@Module({
  imports: [
    ConfigModule.forRoot(),
    LoggingModule.forRoot({ name: 'gateway' }),
    MetricsModule.forRoot({ app: 'gateway' }),
    RedisModule.forRoot(),
    QueueModule,
    TranslationCacheModule,
  ],
  controllers: [StreamTranslateController, TranslateTextController, LanguagesController, HealthController],
  providers: [
    // One Silero ONNX session per process; each stream gets its own recurrent state.
    { provide: SileroVadModel, useFactory: () => SileroVadModel.load() },
    GatewayIdentity,
    ReplyRouter,
    AsrDispatcher,
    TranslationService,
    ApiKeyAuthenticator,
    SessionRegistry,
    SessionService,
    AudioPipelineFactory,
    ReadinessService,
  ],
})
export class AppModule {}
