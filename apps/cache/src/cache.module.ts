import { Logger, Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import {
  bullmqPrefix,
  CACHE_REDIS,
  ConfigModule,
  ConfigService,
  createRedisConnection,
  LoggingModule,
  Metrics,
  MetricsModule,
  PhraseChain,
  QUEUE_REDIS,
  RedisModule,
  requireRedisEndpoint,
  type RedisClient,
} from '@olt/shared';
import { AdminController } from './admin/admin.controller';
import { AdminTokenGuard } from './admin/admin-token.guard';
import { MetricsController } from './admin/metrics.controller';
import { CacheServiceLifecycle } from './cache-service.lifecycle';
import { CacheEventReader } from './events/cache-event-reader';
import { HotKeySnapshots } from './hot-keys/hot-key-snapshots';
import { CacheStatsRecorder } from './stats/cache-stats.service';
import { CACHE_STORE, type CacheStore } from './store/cache-store.port';
import { RedisCacheStore } from './store/redis-cache-store';
import { BullmqWarmingQueue } from './warming/bullmq-warming-queue';
import { RedisTransitionStore } from './warming/redis-transition-store';
import { WarmingPlanner } from './warming/warming-planner';
import { WARMING_QUEUE, type WarmingQueue } from './warming/warming-queue.port';

const log = new Logger('CacheService');

@Module({
  imports: [
    ConfigModule.forRoot(),
    LoggingModule.forRoot({ name: 'cache' }),
    MetricsModule.forRoot({ app: 'cache' }),
    RedisModule.forRoot({ name: 'cache-service' }),
  ],
  controllers: [AdminController, MetricsController],
  providers: [
    AdminTokenGuard,
    { provide: CACHE_STORE, inject: [CACHE_REDIS], useFactory: (r: RedisClient) => new RedisCacheStore(r) },
    {
      provide: WARMING_QUEUE,
      inject: [QUEUE_REDIS, ConfigService],
      // The real translate queue's prefix: with any other, warming jobs would land where no worker reads.
      useFactory: (r: Redis, c: ConfigService) =>
        new BullmqWarmingQueue(r, bullmqPrefix(c.current.redis.keyPrefix)),
    },
    {
      provide: CacheStatsRecorder,
      inject: [CACHE_STORE, Metrics],
      useFactory: (s: CacheStore, m: Metrics) => new CacheStatsRecorder(s, m),
    },
    {
      provide: HotKeySnapshots,
      inject: [CACHE_STORE, QUEUE_REDIS, ConfigService],
      useFactory: (s: CacheStore, q: Redis, c: ConfigService) =>
        new HotKeySnapshots(s, q, c.current.cacheService.hotKeys),
    },
    {
      provide: WarmingPlanner,
      inject: [CACHE_REDIS, WARMING_QUEUE, CACHE_STORE, ConfigService, Metrics],
      useFactory: (r: RedisClient, q: WarmingQueue, s: CacheStore, c: ConfigService, m: Metrics) => {
        const cfg = c.current.cacheService;
        const store = new RedisTransitionStore(r, {
          maxContexts: cfg.warmingMaxContexts,
          maxSuccessors: cfg.warmingMaxSuccessors,
          ttlS: Math.ceil((8 * cfg.warmingHalfLifeMs) / 1000), // 8 half-lives: weight below 0.4%
        });
        const chain = new PhraseChain(store, {
          order: cfg.warmingOrder,
          halfLifeMs: cfg.warmingHalfLifeMs,
          fanIn: cfg.warmingMaxSuccessors,
          priorObservations: cfg.warmingPriorObservations,
        });
        const jobs = m.get('cacheWarmingJobsTotal');
        return new WarmingPlanner(
          chain,
          q,
          s,
          {
            enabled: cfg.warmingEnabled,
            order: cfg.warmingOrder,
            minProbability: cfg.warmingMinProbability,
            maxPredictions: cfg.warmingMaxPredictions,
            maxInFlight: cfg.warmingMaxInFlight,
            shareAcrossTenants: c.current.cache.shareAcrossTenants,
          },
          {
            enqueued: () => jobs.inc({ outcome: 'enqueued' }),
            skipped: (reason) => jobs.inc({ outcome: `skipped_${reason}` }),
            warmedHit: () => m.get('cacheWarmedHitsTotal').inc(),
          },
        );
      },
    },
    {
      provide: CacheEventReader,
      inject: [ConfigService, CacheStatsRecorder, WarmingPlanner],
      useFactory: (c: ConfigService, stats: CacheStatsRecorder, planner: WarmingPlanner) =>
        new CacheEventReader(
          // Its own connection: XREADGROUP BLOCK would stall every other command on a shared one.
          createRedisConnection('cache', requireRedisEndpoint(c.current, 'cache'), {
            logger: redisLog,
            name: 'cache-events',
            forWorker: true,
          }),
          c.current.gateway.id || `cache-${process.pid}`,
          [stats.onEvent, (e) => planner.onEvent(e)],
          (err) => log.warn(`cache events: ${err.message}`),
        ),
    },
    CacheServiceLifecycle,
  ],
})
export class CacheModule {}

const redisLog = {
  info: (_: object, msg: string) => log.log(msg),
  warn: (_: object, msg: string) => log.warn(msg),
  error: (_: object, msg: string) => log.error(msg),
};
