import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { AppError } from '../errors';
import type { RedisLogPort, RedisRole } from './redis-log.port';
import {
  buildRedisOptions,
  describeRedisEndpoint,
  parseRedisEndpoint,
  type RedisEndpointConfig,
} from './redis-endpoint';

/**
 * A client of either kind: code that may get the cache role's connection (a single server, a Sentinel
 * group, or a Redis Cluster) is typed with this and uses only commands both answer the same way.
 */
export type RedisClient = Redis | Cluster;

export interface RedisConnectionOptions {
  logger: RedisLogPort;
  /**
   * The connection runs blocking commands (a BullMQ Worker or QueueEvents, XREADGROUP BLOCK): commands
   * never give up while Redis reconnects. Queue connections behave so anyway; this matters for cache ones.
   */
  forWorker?: boolean;
  /** Shown by CLIENT LIST as `olt-<role>-<name>`; default "main". */
  name?: string;
}

/** Reconnect quickly after a blip, then back off to one try every 5 s (with jitter, so pods spread out). */
export function redisRetryDelayMs(attempt: number): number {
  const base = Math.min(100 * 2 ** Math.max(0, attempt - 1), 5000);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

const describedAs = new WeakMap<RedisClient, string>();

/**
 * `host:port` (or the socket path, the Sentinel master or the cluster's seeds) of a client, for log lines:
 * never the URL, which may hold a password.
 */
export function redisAddress(client: RedisClient): string {
  const known = describedAs.get(client);
  if (known) return known;
  if (client instanceof Cluster) return 'cluster';
  const { host, port, path, sentinels, name } = client.options;
  if (sentinels?.length) return `sentinel ${name}@${sentinels.map((s) => `${s.host}:${s.port}`).join(',')}`;
  return path ? path : `${host}:${port}`;
}

/**
 * Connects to the Redis of a role. Queue connections wait through reconnects (`maxRetriesPerRequest: null`,
 * which BullMQ requires): losing a job is worse than waiting. Cache connections give up fast: a slow cache
 * lookup should become a miss, not a stalled subtitle. `endpoint` is a URL (see redis-endpoint.ts for the
 * Sentinel and Cluster schemes) or a URL with its secrets. The queue role never takes a Cluster: BullMQ's
 * scripts, the reply streams and the feed keys are not laid out for slots, and it has Sentinel for HA.
 */
export function createRedisConnection(
  role: 'queue',
  endpoint: string | RedisEndpointConfig,
  options: RedisConnectionOptions,
): Redis;
export function createRedisConnection(
  role: RedisRole,
  endpoint: string | RedisEndpointConfig,
  options: RedisConnectionOptions,
): RedisClient;
export function createRedisConnection(
  role: RedisRole,
  endpoint: string | RedisEndpointConfig,
  options: RedisConnectionOptions,
): RedisClient {
  const config = typeof endpoint === 'string' ? { url: endpoint } : endpoint;
  const parsed = parseRedisEndpoint(config.url);
  if (role === 'queue' && parsed.topology === 'cluster') {
    throw new AppError(
      'INVALID_ARGUMENT',
      'redis.queue_url is a Redis Cluster URL: the queue Redis must be one primary (a single server or a ' +
        'Sentinel group, redis+sentinel://…); only the cache Redis may be a cluster',
    );
  }
  const patient = role === 'queue' || options.forWorker === true;
  const name = `olt-${role}-${(options.name ?? 'main').replace(/[^A-Za-z0-9_.-]/g, '_')}`;
  const base: RedisOptions = {
    lazyConnect: false,
    connectionName: name,
    maxRetriesPerRequest: patient ? null : 2,
    ...(patient ? {} : { commandTimeout: 2000 }),
    connectTimeout: 10_000,
    retryStrategy: redisRetryDelayMs,
    // After a failover the old primary answers READONLY: reconnect (DNS/Sentinel then finds the new one).
    reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
  };
  const built = buildRedisOptions(parsed, config, base);
  const client: RedisClient = built.cluster
    ? new Cluster(built.cluster.nodes, built.cluster.options)
    : parsed.topology === 'single'
      ? new Redis(config.url, built.redis)
      : new Redis(built.redis);
  describedAs.set(client, describeRedisEndpoint(parsed));
  reportConnectionState(client, role, name, options.logger);
  return client;
}

/** One warning when a connection drops and one line when it is back, not one per retry. */
function reportConnectionState(
  client: RedisClient,
  role: RedisRole,
  name: string,
  logger: RedisLogPort,
): void {
  let down = false;
  const where = () => ({ role, connection: name, address: redisAddress(client) });
  client.on('error', (err: Error) => {
    if (down) return;
    down = true;
    logger.warn(
      { ...where(), err: err.message },
      `${role} Redis at ${redisAddress(client)} unreachable; retrying`,
    );
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    logger.info(where(), `${role} Redis at ${redisAddress(client)} reachable again`);
  });
}

/**
 * The primaries of a client: each node of a cluster (commands that act on one server, such as CONFIG, INFO,
 * DBSIZE and SCAN, must run on every one), or the client itself.
 */
export function primaryNodes(client: RedisClient): Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client];
}
