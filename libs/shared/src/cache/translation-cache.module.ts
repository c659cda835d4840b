import { Global, Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { CACHE_REDIS } from '../redis';
import { ConfigService } from '../config';
import { CACHE_EVENT_SINK, NoCacheEvents, RedisCacheEventSink } from './cache-events';
import { RedisTranslationCache, TRANSLATION_CACHE } from './translation-cache';

@Global()
@Module({
  providers: [
    {
      provide: TRANSLATION_CACHE,
      inject: [CACHE_REDIS],
      useFactory: (redis: Redis) => new RedisTranslationCache(redis),
    },
    {
      provide: CACHE_EVENT_SINK,
      inject: [CACHE_REDIS, ConfigService],
      useFactory: (redis: Redis, config: ConfigService) => {
        const svc = config.current.cacheService;
        return svc.eventsEnabled ? new RedisCacheEventSink(redis, svc.eventsMaxLen) : new NoCacheEvents();
      },
    },
  ],
  exports: [TRANSLATION_CACHE, CACHE_EVENT_SINK],
})
export class TranslationCacheModule {}
