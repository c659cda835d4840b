export { type RedisServer, type RedisServerOptions, startRedisServer } from './redis-server';
export {
  type RedisClusterHandle,
  type RedisClusterOptions,
  type SentinelGroup,
  type SentinelGroupOptions,
  type SentinelProcess,
  startRedisCluster,
  startSentinelGroup,
} from './redis-topologies';
