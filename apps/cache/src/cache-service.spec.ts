/**
 * The cache service's policy pieces against real redis-server processes: LFU under a scan, invalidation by
 * key prefix, the bounded chain, warming priority and back-off, and the tenant rule for warming.
 */
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServer } from '@olt/devkit';
import {
  MemoryTransitionStore,
  Metrics,
  MetricsRegistry,
  PhraseChain,
  translateQueueName,
  translationCacheKey,
  type CacheEventV1,
} from '@olt/shared';
import { invalidationPattern } from './admin/invalidation-scope';
import { CacheStatsRecorder } from './stats/cache-stats.service';
import { RedisCacheStore } from './store/redis-cache-store';
import { BullmqWarmingQueue } from './warming/bullmq-warming-queue';
import { RedisTransitionStore } from './warming/redis-transition-store';
import { WarmingPlanner } from './warming/warming-planner';
import { WARMING_PRIORITY } from './warming/warming-queue.port';

const servers: RedisServer[] = [];
const clients: Redis[] = [];
after(async () => {
  clients.forEach((c) => c.disconnect());
  await Promise.all(servers.map((s) => s.stop()));
});
async function redis(policy: string, maxmemory?: string, extraArgs: string[] = []) {
  const server = await startRedisServer({ policy, maxmemory, extraArgs, name: `cache-spec-${policy}` });
  servers.push(server);
  const client = new Redis(server.url, { maxRetriesPerRequest: null });
  clients.push(client);
  return client;
}

/** 200 hot keys read often, then a scan of one-off keys several times the memory limit. */
async function hotKeysSurvivingScan(client: Redis): Promise<number> {
  const value = 'x'.repeat(200);
  for (let i = 0; i < 200; i++) await client.set(`tr:v1:en:es:m:hot${i}`, value);
  for (let round = 0; round < 10; round++)
    for (let i = 0; i < 200; i++) await client.get(`tr:v1:en:es:m:hot${i}`);
  for (let i = 0; i < 20_000; i++) await client.set(`tr:v1:en:es:m:oneoff${i}`, value);
  let left = 0;
  for (let i = 0; i < 200; i++) left += await client.exists(`tr:v1:en:es:m:hot${i}`);
  return left;
}

describe('cache policy on a real Redis', () => {
  test('allkeys-lfu keeps the hot set under a scan of one-off phrases where allkeys-lru evicts it', async () => {
    const lfu = await hotKeysSurvivingScan(await redis('allkeys-lfu', '2mb', ['--lfu-decay-time', '10']));
    const lru = await hotKeysSurvivingScan(await redis('allkeys-lru', '2mb'));
    assert.ok(lfu >= 180, `LFU kept only ${lfu}/200 hot keys`);
    assert.ok(lru <= 20, `LRU kept ${lru}/200 hot keys (expected the scan to flush them)`);
  });

  test('invalidation by model deletes that model only; by tenant only that tenant’s scoped entries', async () => {
    const client = await redis('allkeys-lfu');
    const store = new RedisCacheStore(client);
    const keys = {
      old: translationCacheKey('en', 'es', 'nllb-old', 'hi'),
      oldTenant: translationCacheKey('en', 'es', 'nllb-old', 'hi', 'g1', 'acme'),
      current: translationCacheKey('en', 'es', 'nllb-new', 'hi'),
      acme: translationCacheKey('en', 'fr', 'nllb-new', 'hi', '', 'acme'),
      other: translationCacheKey('en', 'fr', 'nllb-new', 'hi', '', 'globex'),
    };
    for (const k of Object.values(keys)) await client.set(k, 'x');
    assert.equal(await store.deleteMatching(invalidationPattern({ model: 'nllb-old' }).pattern), 2);
    assert.deepEqual(
      await Promise.all([keys.current, keys.acme, keys.other].map((k) => client.exists(k))),
      [1, 1, 1],
    );
    assert.equal(await store.deleteMatching(invalidationPattern({ tenant: 'acme' }).pattern), 1);
    assert.equal(await client.exists(keys.acme), 0);
    assert.equal(await client.exists(keys.other), 1);
    assert.equal(await store.deleteMatching(invalidationPattern({ src: 'en', dst: 'fr' }).pattern), 1);
    assert.equal(await client.exists(keys.current), 1);
  });

  test('hot keys export with their TTL and import without overwriting newer entries', async () => {
    const client = await redis('allkeys-lfu');
    const store = new RedisCacheStore(client);
    await client.set('tr:v1:en:es:m:a', 'hola', 'EX', 1000);
    await client.set('tr:v1:en:es:m:b', 'adios', 'EX', 1000);
    for (let i = 0; i < 50; i++) await client.get('tr:v1:en:es:m:a');
    const [hottest] = await store.hottest('tr:v1:*', 1);
    assert.equal(hottest.key, 'tr:v1:en:es:m:a');
    assert.ok(hottest.ttlS > 900);
    await client.set('tr:v1:en:es:m:a', 'newer');
    await client.del('tr:v1:en:es:m:b');
    const loaded = await store.load([hottest, { key: 'tr:v1:en:es:m:b', value: 'adios', ttlS: 50, freq: 5 }]);
    assert.equal(loaded, 1);
    assert.equal(await client.get('tr:v1:en:es:m:a'), 'newer');
    assert.equal(await client.get('tr:v1:en:es:m:b'), 'adios');
  });

  test('the chain in Redis stays bounded in contexts and successors per context', async () => {
    const client = await redis('allkeys-lfu');
    const store = new RedisTransitionStore(client, { maxContexts: 50, maxSuccessors: 4, ttlS: 3600 });
    const chain = new PhraseChain(store, { order: 2, halfLifeMs: 60_000, fanIn: 4, priorObservations: 1 });
    let history: string[] = [];
    for (let i = 0; i < 400; i++) {
      const id = await chain.observe(
        { tenant: 't', stream: `ch-${i % 7}/1` },
        history,
        `phrase ${i % 37}`,
        i * 1000,
      );
      history = [...history, id].slice(-2);
    }
    assert.ok((await store.contextCount()) <= 50);
    const contextKeys = await client.keys('olt:v1:warm:ctx:*');
    assert.ok(contextKeys.length <= 50, `${contextKeys.length} context keys`);
    for (const key of contextKeys)
      assert.ok((await client.zcard(key)) <= 5, `${key} holds too many successors`);
  });
});

describe('warming', () => {
  const event = (text: string, over: Partial<CacheEventV1> = {}): CacheEventV1 => ({
    v: 1, kind: 'miss', key: translationCacheKey('en', 'es', 'm', text), tenant: 't1', stream: 'ch-1/1',
    src: 'en', dst: 'es', model: 'm', text, tenantScoped: false, atMs: 0, ...over,
  }); // prettier-ignore
  const settings = {
    enabled: true, order: 1, minProbability: 0.3, maxPredictions: 3, maxInFlight: 8, shareAcrossTenants: true,
  }; // prettier-ignore
  const counters = { enqueued: () => undefined, skipped: () => undefined, warmedHit: () => undefined };

  /** A routine said 5 times: after "intro" comes "follow". */
  async function taught(planner: WarmingPlanner, over: Partial<CacheEventV1> = {}) {
    for (let i = 0; i < 5; i++)
      for (const [j, text] of ['intro', 'follow', 'outro'].entries())
        await planner.onEvent(event(text, { atMs: (i * 3 + j) * 1000, ...over }));
    await planner.onEvent(event('intro', { atMs: 20_000, ...over }));
  }

  test('warming jobs go in at the lowest priority, behind real jobs, and stop while real jobs wait', async () => {
    const queueRedis = await redis('noeviction');
    const cacheRedis = await redis('allkeys-lfu');
    const warmingQueue = new BullmqWarmingQueue(queueRedis, 'olt');
    const chain = new PhraseChain(new MemoryTransitionStore(1000, 8), {
      order: 1, halfLifeMs: 3_600_000, fanIn: 8, priorObservations: 1,
    }); // prettier-ignore
    const planner = new WarmingPlanner(
      chain,
      warmingQueue,
      new RedisCacheStore(cacheRedis),
      settings,
      counters,
    );
    const realQueue = new Queue(translateQueueName(), { connection: queueRedis, prefix: 'olt' });
    try {
      // Real load: a waiting real job means no warming job is enqueued.
      await realQueue.add('translate', { real: 1 }, { priority: 41 });
      await taught(planner);
      assert.ok(planner.pendingCount > 0, 'the chain predicted nothing');
      assert.equal(await planner.pump(), 0);
      assert.equal(await warmingQueue.warmingJobsPending(), 0);
      // Idle again: the prediction goes in at the lowest priority.
      await realQueue.drain();
      await planner.onEvent(event('outro', { atMs: 21_000 }));
      await planner.onEvent(event('intro', { atMs: 22_000 }));
      assert.ok((await planner.pump()) >= 1);
      const jobs = await realQueue.getJobs(['prioritized']);
      const follow = jobs.find((j) => j.data.text === 'follow');
      assert.ok(follow, 'no warming job for the predicted next phrase');
      for (const job of jobs) {
        assert.equal(job.opts.priority, WARMING_PRIORITY);
        assert.equal(job.data.warming, true);
      }
      // A real job added after it is still taken first.
      await realQueue.add('translate', { real: 2 }, { priority: 241 });
      const order: string[] = [];
      const workerConnection = queueRedis.duplicate();
      clients.push(workerConnection);
      const worker = new Worker(
        translateQueueName(),
        async (j) => void order.push(j.data.warming ? 'warming' : 'real'),
        { connection: workerConnection, prefix: 'olt' },
      );
      await new Promise<void>((resolve) => worker.on('drained', () => resolve()));
      await worker.close();
      assert.equal(order[0], 'real');
      assert.ok(order.length >= 2 && order.slice(1).every((o) => o === 'warming'), order.join());
    } finally {
      await realQueue.close();
      await warmingQueue.close();
    }
  });

  test('write events count as writes by source and never teach the chain', async () => {
    const cacheRedis = await redis('allkeys-lfu');
    const store = new RedisCacheStore(cacheRedis);
    const metrics = new Metrics(new MetricsRegistry(), 'cache-spec');
    const stats = new CacheStatsRecorder(store, metrics);
    const chain = new PhraseChain(new MemoryTransitionStore(1000, 8), {
      order: 1, halfLifeMs: 3_600_000, fanIn: 8, priorObservations: 1,
    }); // prettier-ignore
    const queue = {
      realJobsWaiting: async () => 0,
      warmingJobsPending: async () => 0,
      enqueue: async () => true,
    };
    const planner = new WarmingPlanner(chain, queue, store, settings, counters);
    // Writes only, in routine order: a planner that learned from them would predict "follow" after "intro".
    for (let i = 0; i < 5; i++)
      for (const [j, text] of ['intro', 'follow', 'outro'].entries()) {
        const write = event(text, { kind: 'write', warming: i % 2 === 1, atMs: (i * 3 + j) * 1000 });
        stats.onEvent(write);
        await planner.onEvent(write);
      }
    assert.deepEqual(stats.writes, { real: 3 * 3, warming: 2 * 3 });
    assert.deepEqual(stats.lookups, { hit: 0, miss: 0 });
    assert.equal(planner.pendingCount, 0, 'writes taught the chain');
    const text = await metrics.registry.metrics();
    assert.match(text, /olt_cache_writes_total\{[^}]*source="real"[^}]*\} 9/);
    assert.match(text, /olt_cache_writes_total\{[^}]*source="warming"[^}]*\} 6/);
  });

  test('glossary-shaped (tenant-scoped) entries are never learned or warmed', async () => {
    const cacheRedis = await redis('allkeys-lfu');
    const enqueued: string[] = [];
    const queue = {
      realJobsWaiting: async () => 0,
      warmingJobsPending: async () => 0,
      enqueue: async (j: { cacheKey: string }) => (enqueued.push(j.cacheKey), true),
    };
    const chain = new PhraseChain(new MemoryTransitionStore(1000, 8), {
      order: 1, halfLifeMs: 3_600_000, fanIn: 8, priorObservations: 1,
    }); // prettier-ignore
    const planner = new WarmingPlanner(chain, queue, new RedisCacheStore(cacheRedis), settings, counters);
    await taught(planner, { tenantScoped: true });
    assert.equal(await planner.pump(), 0);
    await taught(planner);
    assert.ok((await planner.pump()) >= 1);
    assert.ok(enqueued.includes(translationCacheKey('en', 'es', 'm', 'follow')));
    // Only plain (shared) keys: nothing keyed for a tenant.
    for (const key of enqueued) assert.doesNotMatch(key, /:t\./);
  });
});
