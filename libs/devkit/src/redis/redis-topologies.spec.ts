import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Cluster, type Redis } from 'ioredis';
import {
  closeRedis,
  connectRedisForRole,
  createRedisConnection,
  type RedisClient,
  type RedisLogPort,
  verifyRedisPolicy,
} from '@olt/shared';
import { needsProgram } from '../testing';
import {
  type RedisClusterHandle,
  type SentinelGroup,
  startRedisCluster,
  startSentinelGroup,
} from './redis-topologies';

class RecordingLog implements RedisLogPort {
  readonly lines: string[] = [];
  info = (_: object, msg: string) => void this.lines.push(msg);
  warn = (_: object, msg: string) => void this.lines.push(msg);
  error = (_: object, msg: string) => void this.lines.push(msg);
}

describe('a Sentinel group as the queue Redis', () => {
  let group: SentinelGroup;
  const clients: RedisClient[] = [];
  before(async () => {
    group = await startSentinelGroup({ masterName: 'olt-test' });
  });
  after(async () => {
    clients.forEach((c) => c.disconnect());
    await group?.stop();
  });

  test('a queue connection follows a SIGKILLed master to the promoted replica; commands sent meanwhile complete', async (t) => {
    const log = new RecordingLog();
    const client = createRedisConnection('queue', group.url, { logger: log, name: 'failover' });
    // A blocking reader on a duplicate, as BullMQ workers and the reply reader use: it must move too.
    const blocking = client.duplicate() as Redis;
    blocking.on('error', () => undefined); // the main client reports the outage
    clients.push(client, blocking);
    await client.set('before', '1');
    const former = await group.master();
    assert.equal(former, group.nodes[0]);
    const written = await client.wait(2, 2000);
    assert.equal(written, 2, 'both replicas have the write before the crash');

    const killedAt = Date.now();
    await former.crash();
    // Sent while no master exists: ioredis holds them (maxRetriesPerRequest null) until it finds the new one.
    const during = client.incr('during');
    const popped = blocking.blpop('wake', 30);
    const promoted = await group.waitForNewMaster(former.port, 30_000);
    const promotedAfter = Date.now() - killedAt;
    assert.equal(await during, 1);
    assert.equal(await client.get('before'), '1', 'the replica had the data');
    await client.rpush('wake', 'x');
    assert.deepEqual(await popped, ['wake', 'x'], 'the blocking connection moved to the new master too');
    const servedAfter = Date.now() - killedAt;
    t.diagnostic(`failover: promoted after ${promotedAfter} ms, client served after ${servedAfter} ms`);
    assert.notEqual(promoted.port, former.port);
    assert.ok(
      log.lines.some((l) => /queue Redis at sentinel olt-test@127\.0\.0\.1:\d+.* unreachable/.test(l)),
      log.lines.join('\n'),
    );
  });
});

describe('a Sentinel group with passwords on the data nodes and on the Sentinels', () => {
  let group: SentinelGroup;
  before(async () => {
    group = await startSentinelGroup({
      masterName: 'olt-auth',
      password: 'node-pw',
      sentinelPassword: 'sentinel-pw',
    });
  });
  after(() => group?.stop());

  test('connects with both passwords from the config; without the Sentinel password it cannot find the master', async () => {
    const log = new RecordingLog();
    const client = await connectRedisForRole(
      'queue',
      { url: group.url, password: 'node-pw', sentinelPassword: 'sentinel-pw' },
      log,
      { connectTimeoutMs: 5000 },
    );
    try {
      await client.set('k', 'v');
      assert.equal(await client.get('k'), 'v');
    } finally {
      await closeRedis(client);
    }
    await assert.rejects(
      connectRedisForRole('queue', { url: group.url, password: 'node-pw' }, log, { connectTimeoutMs: 1500 }),
      /queue Redis at sentinel olt-auth@.* not reachable within 1500 ms/,
    );
    assert.doesNotMatch(log.lines.join('\n'), /node-pw|sentinel-pw/);
  });
});

const noCli = needsProgram('redis-cli', 'Redis Cluster as the cache Redis');

describe('a Redis Cluster as the cache Redis', { skip: noCli }, () => {
  let cluster: RedisClusterHandle;
  const clients: RedisClient[] = [];
  before(async () => {
    cluster = await startRedisCluster({ maxmemory: '32mb' });
  });
  after(async () => {
    clients.forEach((c) => c.disconnect());
    await cluster?.stop();
  });

  test('the cache role gets a Cluster client that routes keys of every slot', async () => {
    const client = createRedisConnection('cache', cluster.url, { logger: new RecordingLog() });
    clients.push(client);
    assert.ok(client instanceof Cluster);
    await new Promise((r) => client.once('ready', r));
    const keys = Array.from({ length: 50 }, (_, i) => `tr:v1:en:es:m:${i}`);
    await Promise.all(keys.map((k) => client.set(k, k, 'EX', 60)));
    assert.deepEqual(await Promise.all(keys.map((k) => client.get(k))), keys);
    const perNode = await Promise.all(client.nodes('master').map((n) => n.dbsize()));
    assert.equal(perNode.length, 3);
    assert.ok(
      perNode.every((n) => n > 0),
      `keys spread over every primary: ${perNode.join(', ')}`,
    );
  });

  test('the policy check reads every primary and names the one that is wrong', async () => {
    const client = createRedisConnection('cache', cluster.url, { logger: new RecordingLog() });
    clients.push(client);
    await new Promise((r) => client.once('ready', r));
    const log = new RecordingLog();
    await verifyRedisPolicy(client, 'cache', log);
    assert.deepEqual(log.lines, [], 'all primaries are allkeys-lfu with a limit');
    const odd = cluster.nodes[1];
    const node = (client as Cluster).nodes('master').find((n) => n.options.port === odd.port)!;
    await node.config('SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      await verifyRedisPolicy(client, 'cache', log);
      assert.equal(log.lines.length, 1, log.lines.join('\n'));
      assert.match(
        log.lines[0],
        new RegExp(`cache Redis at 127\\.0\\.0\\.1:${odd.port} has maxmemory-policy allkeys-lru`),
      );
    } finally {
      await node.config('SET', 'maxmemory-policy', 'allkeys-lfu');
    }
  });

  test('the queue role refuses a Cluster URL', () => {
    assert.throws(
      () => createRedisConnection('queue', cluster.url, { logger: new RecordingLog() }),
      /queue Redis must be one primary/,
    );
  });
});
