import { Module } from '@nestjs/common';
import {
  ConfigModule,
  ConfigService,
  LoggingModule,
  MetricsModule,
  QueueModule,
  RedisModule,
  TranslationCacheModule,
} from '@olt/shared';
import { AsrTierRouter } from './asr/asr-tier-router';
import { TierCapacityMonitor } from './asr/tier-capacity-monitor';
import { RedisTierLoadReader, TIER_LOAD_READER } from './asr/tier-load-reader';
import { AsrDispatcher } from './asr/asr-dispatcher.service';
import { SileroVadModel } from './audio';
import { AdminListener } from './health/admin-listener';
import { HealthController } from './health/health.controller';
import { ReadinessService } from './health/readiness.service';
import { FeedModule } from './feed/feed.module';
import { QueueBreaker } from './infra/queue-breaker';
import { GatewayIdentity } from './infra/gateway-identity';
import { DeploymentLanguages } from './languages/deployment-languages';
import { LanguagesController } from './languages/languages.controller';
import { OverlayModule } from './overlay/overlay.module';
import { REST_CONTROLLERS, REST_PROVIDERS } from './rest';
import { ReplyRouter } from './results/reply-router.service';
import { AudioPipelineFactory } from './session/audio-pipeline.factory';
import { ObsOutputs } from './obs/obs-outputs.service';
import { SessionFanout } from './session/session-fanout';
import { SessionRegistry } from './session/session-registry';
import { SessionService } from './session/session.service';
import { StreamTranslateController } from './session/stream-translate.controller';
import { ApiKeyAuthenticator } from './tenancy/api-key-authenticator';
import { TenantStreamLeases } from './tenancy/tenant-stream-leases';
import { TranslateTextController } from './translate/translate-text.controller';
import { TranslateTextUseCase } from './translate/translate-text.usecase';
import { TranslationService } from './translate/translation.service';

@Module({
  imports: [
    ConfigModule.forRoot(),
    LoggingModule.forRoot({ name: 'gateway' }),
    MetricsModule.forRoot({ app: 'gateway' }),
    RedisModule.forRoot(),
    QueueModule,
    TranslationCacheModule,
    // Subtitle fan-out (SubtitleFeed) and the OBS overlay page (OverlayLinks.overlayUrlFor).
    FeedModule,
    OverlayModule,
  ],
  controllers: [
    StreamTranslateController,
    TranslateTextController,
    LanguagesController,
    HealthController,
    ...REST_CONTROLLERS,
  ],
  providers: [
    // One Silero ONNX session per process; each stream gets its own recurrent state, and the frames of
    // many streams run as one batch.
    {
      provide: SileroVadModel,
      inject: [ConfigService],
      useFactory: (config: ConfigService) =>
        SileroVadModel.load({
          batchMaxStreams: config.current.audio.vadBatchMaxStreams,
          batchWaitMs: config.current.audio.vadBatchWaitMs,
        }),
    },
    GatewayIdentity,
    QueueBreaker,
    ReplyRouter,
    AsrDispatcher,
    AsrTierRouter,
    TierCapacityMonitor,
    { provide: TIER_LOAD_READER, useClass: RedisTierLoadReader },
    TranslationService,
    TranslateTextUseCase,
    DeploymentLanguages,
    ApiKeyAuthenticator,
    SessionRegistry,
    TenantStreamLeases,
    SessionService,
    AudioPipelineFactory,
    ReadinessService,
    // /metrics and the probes on gateway.admin_port.
    AdminListener,
    ObsOutputs,
    SessionFanout,
    ...REST_PROVIDERS,
  ],
})
export class AppModule {}
