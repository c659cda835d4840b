/**
 * The shared Redis-by-role code (libs/shared/src/redis) against real redis-server processes. It lives here,
 * next to the spawner, because devkit depends on shared and not the other way round.
 */
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Redis } from 'ioredis';
import { ConfigError, ConfigModule } from '@olt/shared/dist/config';
import {
  CACHE_REDIS,
  connectRedisForRole,
  createRedisConnection,
  QUEUE_REDIS,
  RedisModule,
  RedisPolicyError,
  type RedisLogPort,
  verifyRedisPolicy,
} from '@olt/shared/dist/redis';
import { type RedisServer, type RedisServerOptions, startRedisServer } from './redis-server';

class RecordingLog implements RedisLogPort {
  readonly lines: { level: string; msg: string }[] = [];
  info = (_: object, msg: string) => void this.lines.push({ level: 'info', msg });
  warn = (_: object, msg: string) => void this.lines.push({ level: 'warn', msg });
  error = (_: object, msg: string) => void this.lines.push({ level: 'error', msg });
  get warnings() {
    return this.lines.filter((l) => l.level === 'warn').map((l) => l.msg);
  }
}

const servers = new Map<string, Promise<RedisServer>>();
const clients: Redis[] = [];
after(async () => {
  clients.forEach((c) => c.disconnect());
  await Promise.all([...servers.values()].map(async (s) => (await s).stop()));
});

/** One server per distinct setup, shared by the tests of this file. */
function server(options: RedisServerOptions): Promise<RedisServer> {
  const key = JSON.stringify(options);
  if (!servers.has(key)) servers.set(key, startRedisServer(options));
  return servers.get(key)!;
}

async function client(role: 'queue' | 'cache', options: RedisServerOptions, name = 'test'): Promise<Redis> {
  // Single-server URLs always give a Redis (only redis+cluster:// gives a Cluster).
  const c = createRedisConnection(role, (await server(options)).url, {
    logger: new RecordingLog(),
    name,
  }) as Redis;
  clients.push(c);
  return c;
}

describe('verifyRedisPolicy', () => {
  test('refuses a queue Redis that may evict keys, telling the operator what to set and why', async () => {
    const c = await client('queue', { policy: 'allkeys-lru' });
    await assert.rejects(verifyRedisPolicy(c, 'queue', new RecordingLog()), (err: Error) => {
      assert.ok(err instanceof RedisPolicyError);
      assert.match(
        err.message,
        /^queue Redis at 127\.0\.0\.1:\d+ has maxmemory-policy allkeys-lru; it must be noeviction/,
      );
      assert.match(err.message, /BullMQ jobs and segment audio must never be evicted/);
      assert.match(err.message, /CONFIG SET maxmemory-policy noeviction/);
      return true;
    });
  });

  test('accepts a noeviction queue Redis quietly', async () => {
    const log = new RecordingLog();
    const settings = await verifyRedisPolicy(await client('queue', { policy: 'noeviction' }), 'queue', log);
    assert.equal(settings.policy, 'noeviction');
    assert.equal(settings.via, 'CONFIG');
    assert.deepEqual(log.lines, []);
  });

  test('warns about a cache Redis that is not allkeys-lfu, naming the policy found', async () => {
    const log = new RecordingLog();
    await verifyRedisPolicy(
      await client('cache', { policy: 'allkeys-lru', maxmemory: '16mb' }),
      'cache',
      log,
    );
    assert.equal(log.warnings.length, 1);
    assert.match(
      log.warnings[0],
      /^cache Redis at 127\.0\.0\.1:\d+ has maxmemory-policy allkeys-lru; allkeys-lfu is recommended, with a maxmemory limit/,
    );
  });

  test('is quiet about an allkeys-lfu cache with a memory limit', async () => {
    const log = new RecordingLog();
    await verifyRedisPolicy(
      await client('cache', { policy: 'allkeys-lfu', maxmemory: '16mb' }),
      'cache',
      log,
    );
    assert.deepEqual(log.lines, []);
  });

  test('warns about an allkeys-lfu cache without a memory limit (it would never evict)', async () => {
    const log = new RecordingLog();
    await verifyRedisPolicy(await client('cache', { policy: 'allkeys-lfu' }), 'cache', log);
    assert.equal(log.warnings.length, 1);
    assert.match(log.warnings[0], /uses allkeys-lfu but has no maxmemory limit/);
  });

  test('falls back to INFO when CONFIG is disabled, as on managed Redis', async () => {
    const opts = { policy: 'allkeys-lru', extraArgs: ['--rename-command', 'CONFIG', ''] };
    const c = await client('queue', opts);
    await assert.rejects(c.config('GET', 'maxmemory-policy'), /unknown command/i);
    await assert.rejects(verifyRedisPolicy(c, 'queue', new RecordingLog()), RedisPolicyError);
    const settings = await verifyRedisPolicy(await client('cache', opts), 'cache', new RecordingLog());
    assert.deepEqual([settings.policy, settings.via], ['allkeys-lru', 'INFO']);
  });

  test('warns and goes on when neither CONFIG nor INFO may be read', async () => {
    const opts = {
      policy: 'noeviction',
      extraArgs: ['--rename-command', 'CONFIG', '', '--rename-command', 'INFO', ''],
    };
    const log = new RecordingLog();
    const settings = await verifyRedisPolicy(await client('queue', opts), 'queue', log);
    assert.equal(settings.policy, undefined);
    assert.equal(log.warnings.length, 1);
    assert.match(
      log.warnings[0],
      /^cannot read maxmemory-policy of the queue Redis at .*; make sure it is noeviction$/,
    );
  });
});

describe('createRedisConnection', () => {
  test('names the connection by role and makes queue commands wait through reconnects', async () => {
    const queue = await client('queue', { policy: 'noeviction' }, 'gateway 1');
    const cache = await client('cache', { policy: 'allkeys-lfu', maxmemory: '16mb' }, 'gateway');
    assert.equal(await queue.client('GETNAME'), 'olt-queue-gateway_1');
    assert.equal(await cache.client('GETNAME'), 'olt-cache-gateway');
    assert.equal(queue.options.maxRetriesPerRequest, null, 'BullMQ requires null');
    assert.equal(cache.options.maxRetriesPerRequest, 2, 'a cache lookup gives up quickly');
  });
});

describe('connectRedisForRole', () => {
  test('fails with an actionable message when the server does not answer in time', async () => {
    const stopped = await startRedisServer({ policy: 'noeviction', name: 'gone' });
    await stopped.stop();
    await assert.rejects(
      connectRedisForRole('queue', stopped.url, new RecordingLog(), { connectTimeoutMs: 300 }),
      /^AppError: queue Redis at 127\.0\.0\.1:\d+ not reachable within 300 ms \(.*ECONNREFUSED.*\); check redis\.queue_url \(env OLT__REDIS__QUEUE_URL\)/,
    );
  });
});

describe('RedisModule', () => {
  async function appWith(queueUrl: string, cacheUrl: string, roles?: ('queue' | 'cache')[]) {
    @Module({
      imports: [
        ConfigModule.forRoot({ env: {}, watch: false, overrides: { redis: { queueUrl, cacheUrl } } }),
        RedisModule.forRoot({ roles, name: 'spec' }),
      ],
    })
    class AppModule {}
    return NestFactory.createApplicationContext(AppModule, { logger: false, abortOnError: false });
  }

  test('provides verified QUEUE_REDIS and CACHE_REDIS clients and quits them on close', async () => {
    const queueUrl = (await server({ policy: 'noeviction' })).url;
    const cacheUrl = (await server({ policy: 'allkeys-lfu', maxmemory: '16mb' })).url;
    const app = await appWith(queueUrl, cacheUrl);
    const queue = app.get<Redis>(QUEUE_REDIS);
    const cache = app.get<Redis>(CACHE_REDIS);
    assert.equal(await queue.client('GETNAME'), 'olt-queue-spec');
    assert.equal(await cache.client('GETNAME'), 'olt-cache-spec');
    await app.close();
    assert.equal(queue.status, 'end');
    assert.equal(cache.status, 'end');
  });

  test('refuses to start on a queue Redis with an evicting policy', async () => {
    const bad = (await server({ policy: 'allkeys-lru' })).url;
    const cacheUrl = (await server({ policy: 'allkeys-lfu', maxmemory: '16mb' })).url;
    await assert.rejects(appWith(bad, cacheUrl), RedisPolicyError);
  });

  test('refuses to start with an empty URL, saying which key to set; a role left out needs none', async () => {
    const queueUrl = (await server({ policy: 'noeviction' })).url;
    await assert.rejects(appWith(queueUrl, ''), (err: Error) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /redis\.cache_url is empty/);
      return true;
    });
    const app = await appWith(queueUrl, '', ['queue']);
    assert.equal(await app.get<Redis>(QUEUE_REDIS).ping(), 'PONG');
    assert.throws(() => app.get(CACHE_REDIS));
    await app.close();
  });
});
