import { Global, Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { CACHE_REDIS } from '../redis';
import { RedisTranslationCache, TRANSLATION_CACHE } from './translation-cache';

@Global()
@Module({
  providers: [
    {
      provide: TRANSLATION_CACHE,
      inject: [CACHE_REDIS],
      useFactory: (redis: Redis) => new RedisTranslationCache(redis),
    },
  ],
  exports: [TRANSLATION_CACHE],
})
export class TranslationCacheModule {}
