import { Global, Logger, Module } from '@nestjs/common';
import { ConfigService } from '../config';
import { Metrics } from '../metrics';
import { CACHE_REDIS, type RedisClient } from '../redis';
import { CACHE_EVENT_SINK, NoCacheEvents, RedisCacheEventSink } from './cache-events';
import { breakerFromConfig, GuardedTranslationCache } from '../resilience';
import { RedisTranslationCache, TRANSLATION_CACHE } from './translation-cache';

/**
 * TRANSLATION_CACHE: the cache Redis behind the "cache" circuit breaker. A cache outage degrades to "no
 * cache" (lookups miss, writes are skipped, each within resilience.cache_timeout_ms), never to waiting.
 */
@Global()
@Module({
  providers: [
    {
      provide: TRANSLATION_CACHE,
      inject: [CACHE_REDIS, ConfigService, Metrics],
      useFactory: (redis: RedisClient, config: ConfigService, metrics: Metrics) => {
        const { resilience } = config.current;
        const logger = new Logger('TranslationCache');
        const breaker = breakerFromConfig({
          name: 'cache',
          description: 'the translation cache Redis',
          timeoutMs: resilience.cacheTimeoutMs,
          resilience,
          metrics,
          log: {
            warn: (o, m) => logger.warn(`${m} ${JSON.stringify(o)}`),
            info: (o, m) => logger.log(`${m} ${JSON.stringify(o)}`),
          },
        });
        return new GuardedTranslationCache(new RedisTranslationCache(redis), breaker);
      },
    },
    {
      provide: CACHE_EVENT_SINK,
      inject: [CACHE_REDIS, ConfigService],
      useFactory: (redis: RedisClient, config: ConfigService) => {
        const svc = config.current.cacheService;
        return svc.eventsEnabled ? new RedisCacheEventSink(redis, svc.eventsMaxLen) : new NoCacheEvents();
      },
    },
  ],
  exports: [TRANSLATION_CACHE, CACHE_EVENT_SINK],
})
export class TranslationCacheModule {}
