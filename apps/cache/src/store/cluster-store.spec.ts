/**
 * The cache service's Redis pieces on a real 3-primary Redis Cluster: every command they send must touch one
 * slot (a cross-slot one fails with CROSSSLOT), and server-wide ones (CONFIG, INFO, DBSIZE, SCAN) must cover
 * every primary, not whichever node the client happens to pick.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Cluster } from 'ioredis';
import { startRedisCluster, type RedisClusterHandle } from '@olt/devkit';
import { needsProgram } from '@olt/devkit/dist/testing';
import { createRedisConnection, translationCacheKey } from '@olt/shared';
import { invalidationPattern, TRANSLATION_KEYS } from '../admin/invalidation-scope';
import { RedisTransitionStore } from '../warming/redis-transition-store';
import { RedisCacheStore } from './redis-cache-store';

const noCli = needsProgram('redis-cli', 'cache service stores on a Redis Cluster');
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('the cache service on a Redis Cluster', { skip: noCli }, () => {
  let cluster: RedisClusterHandle;
  let client: Cluster;
  before(async () => {
    cluster = await startRedisCluster({ maxmemory: '32mb' });
    client = createRedisConnection('cache', cluster.url, { logger: quiet }) as Cluster;
    await new Promise((r) => client.once('ready', r));
  });
  after(async () => {
    client?.disconnect();
    await cluster?.stop();
  });

  const keys = Array.from({ length: 60 }, (_, i) => translationCacheKey('en', 'es', 'm1', `phrase ${i}`));

  test('stats, hottest, load and invalidation span every primary without a cross-slot command', async () => {
    const store = new RedisCacheStore(client);
    assert.equal(
      await store.applyLfuPolicy({ maxmemory: '16mb', lfuLogFactor: 10, lfuDecayTimeMin: 1 }),
      true,
    );
    for (const node of client.nodes('master'))
      assert.deepEqual(await node.config('GET', 'maxmemory'), ['maxmemory', String(16 * 1024 * 1024)]);

    await Promise.all(keys.map((k, i) => client.set(k, `t${i}`, 'EX', 3600)));
    for (let round = 0; round < 20; round++) await Promise.all(keys.slice(0, 5).map((k) => client.get(k)));
    const stats = await store.stats();
    assert.equal(stats.keys, keys.length, 'keys counted on every node');
    assert.equal(stats.maxmemoryBytes, 3 * 16 * 1024 * 1024, 'the budget of all primaries');
    assert.equal(stats.policy, 'allkeys-lfu');

    const hot = await store.hottest(TRANSLATION_KEYS, 5);
    assert.deepEqual(hot.map((e) => e.key).sort(), keys.slice(0, 5).sort(), 'the hottest, found on any node');
    assert.ok(hot.every((e) => e.ttlS > 0 && e.value.startsWith('t')));

    await Promise.all(keys.map((k) => client.unlink(k)));
    assert.equal(await store.load(hot), 5, 'reloaded into their slots');
    assert.equal(await store.exists(hot[0].key), true);

    assert.equal(await store.deleteMatching(invalidationPattern({ model: 'm1' }).pattern), 5);
    assert.equal((await store.stats()).keys, 0);
  });

  test('the phrase chain bumps, trims and evicts contexts spread over the slots', async () => {
    const store = new RedisTransitionStore(client, { maxContexts: 4, maxSuccessors: 2, ttlS: 60 });
    for (let c = 0; c < 10; c++) {
      await store.bump(`ctx${c}`, 'a', 1);
      await store.bump(`ctx${c}`, 'b', 2);
      await store.bump(`ctx${c}`, 'c', 3);
    }
    assert.equal(await store.contextCount(), 4, 'bounded to maxContexts');
    const top = await store.top('ctx9', 5);
    assert.equal(top.total, 6);
    assert.deepEqual(
      top.successors.map((s) => s.next),
      ['c', 'b'],
      'trimmed to the strongest maxSuccessors',
    );
    assert.deepEqual(await store.top('ctx0', 5), { total: 0, successors: [] }, 'evicted context is gone');
    await store.rememberText('p1', 'hello');
    assert.equal(await store.textOf('p1'), 'hello');
  });
});
