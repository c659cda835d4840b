export {
  createRedisConnection,
  primaryNodes,
  type RedisClient,
  type RedisConnectionOptions,
  redisAddress,
  redisRetryDelayMs,
} from './redis-connection';
export {
  buildRedisOptions,
  type BuiltRedisOptions,
  describeRedisEndpoint,
  parseRedisEndpoint,
  redactRedisUrl,
  type RedisEndpoint,
  type RedisEndpointConfig,
  type RedisEndpointSecrets,
  type RedisHostPort,
  type RedisTopology,
} from './redis-endpoint';
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
