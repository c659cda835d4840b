import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { type RedisServer, startRedisServer } from './redis-server';

const servers: RedisServer[] = [];
after(() => Promise.all(servers.map((s) => s.stop())));

async function start(options: Parameters<typeof startRedisServer>[0]): Promise<RedisServer> {
  const server = await startRedisServer(options);
  servers.push(server);
  return server;
}

async function withClient<T>(url: string, fn: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    return await fn(client);
  } finally {
    client.disconnect();
  }
}

describe('startRedisServer', () => {
  test('runs a private server on a free local port with the policy asked for and no persistence', async () => {
    const server = await start({ policy: 'allkeys-lfu', maxmemory: '32mb', name: 'cache' });
    assert.notEqual(server.port, 6379);
    assert.equal(server.url, `redis://127.0.0.1:${server.port}`);
    const settings = await withClient(server.url, async (c) => ({
      pong: await c.ping(),
      policy: await c.config('GET', 'maxmemory-policy'),
      maxmemory: await c.config('GET', 'maxmemory'),
      save: await c.config('GET', 'save'),
      appendonly: await c.config('GET', 'appendonly'),
      bind: await c.config('GET', 'bind'),
    }));
    assert.equal(settings.pong, 'PONG');
    assert.deepEqual(settings.policy, ['maxmemory-policy', 'allkeys-lfu']);
    assert.deepEqual(settings.maxmemory, ['maxmemory', String(32 * 1024 * 1024)]);
    assert.deepEqual(settings.save, ['save', '']);
    assert.deepEqual(settings.appendonly, ['appendonly', 'no']);
    assert.deepEqual(settings.bind, ['bind', '127.0.0.1']);
  });

  test('two servers at once get their own ports', async () => {
    const [a, b] = await Promise.all([start({ policy: 'noeviction' }), start({ policy: 'noeviction' })]);
    assert.notEqual(a.port, b.port);
  });

  test('stop() ends the server (connections are refused after) and can be called twice', async () => {
    const server = await startRedisServer({ policy: 'noeviction', name: 'short-lived' });
    await server.stop();
    await server.stop();
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: server.port });
      socket.once('connect', () => (socket.destroy(), resolve(false)));
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
    });
    assert.equal(refused, true);
  });

  test('a bad setting fails fast with redis-server’s own explanation', async () => {
    await assert.rejects(startRedisServer({ policy: 'keep-everything', name: 'bad' }), (err: Error) => {
      assert.match(err.message, /redis-server "bad" exited during start-up/);
      assert.match(err.message, /maxmemory-policy/);
      return true;
    });
  });

  test('a missing redis-server says how to install it', async () => {
    await assert.rejects(
      startRedisServer({ policy: 'noeviction', command: 'redis-server-not-installed-here' }),
      /redis-server-not-installed-here not found on PATH: install redis-server \(apt-get install redis-server\)/,
    );
  });
});
