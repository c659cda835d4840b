export {
  createRedisConnection,
  type RedisConnectionOptions,
  redisAddress,
  redisRetryDelayMs,
} from './redis-connection';
export type { RedisLogPort, RedisRole } from './redis-log.port';
export {
  readRedisMemorySettings,
  type RedisMemorySettings,
  RedisPolicyError,
  verifyRedisPolicy,
} from './redis-policy';
export {
  CACHE_REDIS,
  closeRedis,
  connectRedisForRole,
  QUEUE_REDIS,
  RedisModule,
  type RedisModuleOptions,
  waitForRedis,
} from './redis.module';
