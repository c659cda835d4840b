import { Redis, type RedisOptions } from 'ioredis';
import type { RedisLogPort, RedisRole } from './redis-log.port';

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

/** `host:port` (or the socket path) of a client, for log lines: never the URL, which may hold a password. */
export function redisAddress(client: Redis): string {
  const { host, port, path } = client.options;
  return path ? path : `${host}:${port}`;
}

/**
 * Connects to the Redis of a role. Queue connections wait through reconnects (`maxRetriesPerRequest: null`,
 * which BullMQ requires): losing a job is worse than waiting. Cache connections give up fast: a slow cache
 * lookup should become a miss, not a stalled subtitle.
 */
export function createRedisConnection(role: RedisRole, url: string, options: RedisConnectionOptions): Redis {
  const patient = role === 'queue' || options.forWorker === true;
  const name = `olt-${role}-${(options.name ?? 'main').replace(/[^A-Za-z0-9_.-]/g, '_')}`;
  const redisOptions: RedisOptions = {
    lazyConnect: false,
    connectionName: name,
    maxRetriesPerRequest: patient ? null : 2,
    ...(patient ? {} : { commandTimeout: 2000 }),
    connectTimeout: 10_000,
    retryStrategy: redisRetryDelayMs,
    // After a failover the old primary answers READONLY: reconnect (DNS/Sentinel then finds the new one).
    reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
  };
  const client = new Redis(url, redisOptions);
  reportConnectionState(client, role, name, options.logger);
  return client;
}

/** One warning when a connection drops and one line when it is back, not one per retry. */
function reportConnectionState(client: Redis, role: RedisRole, name: string, logger: RedisLogPort): void {
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
