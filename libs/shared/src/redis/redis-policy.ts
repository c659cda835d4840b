import type { Redis } from 'ioredis';
import { AppError } from '../errors';
import { primaryNodes, type RedisClient, redisAddress } from './redis-connection';
import type { RedisLogPort, RedisRole } from './redis-log.port';

/** The queue Redis would evict jobs or segment audio: refusing to start is the only safe answer. */
export class RedisPolicyError extends AppError {
  constructor(message: string) {
    super('FAILED_PRECONDITION', message);
    this.name = 'RedisPolicyError';
  }
}

export interface RedisMemorySettings {
  /** e.g. "noeviction", "allkeys-lfu"; undefined when the server lets us read neither CONFIG nor INFO. */
  policy?: string;
  /** Bytes; 0 = no limit. */
  maxmemory?: number;
  /** How it was read: managed Redis services often disable CONFIG but answer INFO. */
  via?: 'CONFIG' | 'INFO';
  /** Why neither worked. */
  error?: string;
}

export async function readRedisMemorySettings(client: Redis): Promise<RedisMemorySettings> {
  let configError: string;
  try {
    const policy = (await client.config('GET', 'maxmemory-policy')) as string[];
    const maxmemory = (await client.config('GET', 'maxmemory')) as string[];
    if (policy.length >= 2)
      return { policy: policy[1], maxmemory: Number(maxmemory[1] ?? NaN), via: 'CONFIG' };
    configError = 'CONFIG GET returned nothing';
  } catch (err) {
    configError = (err as Error).message;
  }
  try {
    const info = await client.info('memory');
    const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();
    const policy = field('maxmemory_policy');
    if (policy) return { policy, maxmemory: Number(field('maxmemory') ?? NaN), via: 'INFO' };
    return { error: `CONFIG: ${configError}; INFO memory has no maxmemory_policy` };
  } catch (err) {
    return { error: `CONFIG: ${configError}; INFO: ${(err as Error).message}` };
  }
}

/**
 * Checks the eviction policy a role needs. Queue: must be `noeviction`, else throws RedisPolicyError
 * (an evicted job or segment is a lost subtitle, silently). Cache: should be `allkeys-lfu` with a
 * maxmemory limit, else a warning (it works, but keeps the wrong translations or grows without bound).
 * When the policy cannot be read at all, warns and continues. Returns what was read.
 */
export async function verifyRedisPolicy(
  client: RedisClient,
  role: RedisRole,
  logger: RedisLogPort,
): Promise<RedisMemorySettings> {
  // A cluster evicts per node: every primary must have the policy (a resharded-in node may not).
  const nodes = primaryNodes(client);
  const all = await Promise.all(nodes.map((node) => verifyNodePolicy(node, role, logger)));
  return all[0] ?? {};
}

async function verifyNodePolicy(
  client: Redis,
  role: RedisRole,
  logger: RedisLogPort,
): Promise<RedisMemorySettings> {
  const settings = await readRedisMemorySettings(client);
  const address = redisAddress(client);
  const context = { role, address, policy: settings.policy, maxmemory: settings.maxmemory };
  const wanted = role === 'queue' ? 'noeviction' : 'allkeys-lfu';

  if (!settings.policy) {
    logger.warn(
      { ...context, err: settings.error },
      `cannot read maxmemory-policy of the ${role} Redis at ${address} (${settings.error}); ` +
        `make sure it is ${wanted}`,
    );
    return settings;
  }
  if (role === 'queue') {
    if (settings.policy !== 'noeviction') {
      throw new RedisPolicyError(
        `queue Redis at ${address} has maxmemory-policy ${settings.policy}; it must be noeviction: BullMQ ` +
          'jobs and segment audio must never be evicted (an evicted job is a subtitle lost without an error). ' +
          'Set "maxmemory-policy noeviction" in its redis.conf (or CONFIG SET maxmemory-policy noeviction), ' +
          'or point redis.queue_url at a Redis that uses it; keep the translation cache on a separate server.',
      );
    }
    return settings;
  }
  if (settings.policy !== 'allkeys-lfu') {
    logger.warn(
      context,
      `cache Redis at ${address} has maxmemory-policy ${settings.policy}; allkeys-lfu is recommended, with a ` +
        'maxmemory limit, so that popular translations stay and rarely used ones are evicted ' +
        '(CONFIG SET maxmemory-policy allkeys-lfu; CONFIG SET maxmemory 1gb)',
    );
  } else if (settings.maxmemory === 0) {
    logger.warn(
      context,
      `cache Redis at ${address} uses allkeys-lfu but has no maxmemory limit, so nothing is ever evicted and ` +
        'it grows until the machine runs out of memory; set maxmemory (e.g. CONFIG SET maxmemory 1gb)',
    );
  }
  return settings;
}
