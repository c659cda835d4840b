import {
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
  Optional,
  type Provider,
} from '@nestjs/common';
import { ConfigService } from '../config/config.service';
import { requireRedisEndpoint } from '../config/load-config';
import { AppError } from '../errors';
import { createLogger } from '../logging/create-logger';
import { ROOT_LOGGER } from '../logging/logging.module';
import { createRedisConnection, type RedisClient, redisAddress } from './redis-connection';
import type { RedisEndpointConfig } from './redis-endpoint';
import type { RedisLogPort, RedisRole } from './redis-log.port';
import { verifyRedisPolicy } from './redis-policy';

/** Injection tokens of the ioredis clients, one per role. */
export const QUEUE_REDIS = 'OLT_QUEUE_REDIS';
export const CACHE_REDIS = 'OLT_CACHE_REDIS';

const TOKENS: Record<RedisRole, string> = { queue: QUEUE_REDIS, cache: CACHE_REDIS };

export interface RedisModuleOptions {
  /** Which connections this process needs; default both. A role left out needs no URL. */
  roles?: RedisRole[];
  /** Connection name suffix (`olt-<role>-<name>`); default "main". */
  name?: string;
  /** How long start-up waits for each server before failing; default 15 s. */
  connectTimeoutMs?: number;
}

/** Resolves once the client is ready; rejects with an actionable error after `timeoutMs`. */
export function waitForRedis(client: RedisClient, role: RedisRole, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    let lastError = 'no answer';
    const onError = (err: Error) => (lastError = err.message);
    const cleanup = () => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('error', onError);
    };
    const onReady = () => {
      cleanup();
      resolve();
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(
        new AppError(
          'UNAVAILABLE',
          `${role} Redis at ${redisAddress(client)} not reachable within ${timeoutMs} ms (${lastError}); ` +
            `check redis.${role}_url (env OLT__REDIS__${role.toUpperCase()}_URL) and that the server runs`,
        ),
      );
    }, timeoutMs);
    client.on('ready', onReady);
    client.on('error', onError);
  });
}

/** Connects, waits until ready and checks the eviction policy; a failed check closes the client. */
export async function connectRedisForRole(
  role: RedisRole,
  endpoint: string | RedisEndpointConfig,
  logger: RedisLogPort,
  options: Pick<RedisModuleOptions, 'name' | 'connectTimeoutMs'> = {},
): Promise<RedisClient> {
  const client = createRedisConnection(role, endpoint, { logger, name: options.name });
  try {
    await waitForRedis(client, role, options.connectTimeoutMs ?? 15_000);
    await verifyRedisPolicy(client, role, logger);
    return client;
  } catch (err) {
    client.disconnect();
    throw err;
  }
}

/** Quits the clients after the modules that use them (global modules shut down last, in reverse order). */
@Injectable()
class RedisConnectionsCloser implements OnApplicationShutdown {
  constructor(
    @Optional() @Inject(QUEUE_REDIS) private readonly queue?: RedisClient,
    @Optional() @Inject(CACHE_REDIS) private readonly cache?: RedisClient,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.queue, this.cache].filter((c): c is RedisClient => !!c).map(closeRedis));
  }
}

/**
 * QUIT lets pending replies arrive; resolves once the socket is closed (status "end"), so that nothing is
 * left holding the event loop. A server that does not answer gets a hard disconnect.
 */
export async function closeRedis(client: RedisClient, timeoutMs = 2000): Promise<void> {
  if (client.status === 'end') return;
  const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
  const timer = setTimeout(() => client.disconnect(), timeoutMs);
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
  await ended;
  clearTimeout(timer);
  // QUIT leaves a Sentinel client's failover detector (its SUBSCRIBE connections to the Sentinels) open,
  // retrying forever once they go; disconnect() closes it and is harmless on an ended connection.
  client.disconnect();
}

/**
 * Global module providing QUEUE_REDIS and CACHE_REDIS (ioredis clients) from the configured URLs. Start-up
 * fails if a URL is empty, a server is unreachable, or the queue Redis may evict keys; it warns when the
 * cache Redis is not allkeys-lfu with a memory limit. Connections quit on shutdown.
 */
@Global()
@Module({})
export class RedisModule {
  static forRoot(options: RedisModuleOptions = {}): DynamicModule {
    const roles = options.roles ?? ['queue', 'cache'];
    // Nest does not run shutdown hooks when start-up fails; the clients of a failed start are closed here.
    // State is per start-up (a module may be used for several apps, e.g. in tests): reset once all settle.
    const opened = new Set<RedisClient>();
    let failed = false;
    let pending = 0;
    const settle = () => {
      if (--pending > 0) return;
      failed = false;
      opened.clear();
    };
    const providers: Provider[] = roles.map((role) => ({
      provide: TOKENS[role],
      inject: [ConfigService, { token: ROOT_LOGGER, optional: true }],
      useFactory: async (config: ConfigService, root?: RedisLogPort) => {
        const logger =
          root ??
          createLogger({ name: 'redis', level: config.current.log.level, pretty: config.current.log.pretty });
        // Every URL is checked before anything connects, so a missing one fails without side effects.
        const endpoints = roles.map((r) => requireRedisEndpoint(config.current, r));
        pending++;
        try {
          const client = await connectRedisForRole(role, endpoints[roles.indexOf(role)], logger, options);
          opened.add(client);
          if (failed) throw new AppError('UNAVAILABLE', `start-up failed; ${role} Redis connection closed`);
          return client;
        } catch (err) {
          failed = true;
          opened.forEach((client) => client.disconnect());
          throw err;
        } finally {
          settle();
        }
      },
    }));
    return {
      module: RedisModule,
      providers: [...providers, RedisConnectionsCloser],
      exports: roles.map((role) => TOKENS[role]),
    };
  }
}
