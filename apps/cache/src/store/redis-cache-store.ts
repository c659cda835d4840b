import type { Redis } from 'ioredis';
import { primaryNodes, type RedisClient } from '@olt/shared';
import type { CacheStats, CacheStore, HotEntry, LfuSettings } from './cache-store.port';

const SCAN_COUNT = 1000;

/**
 * The cache Redis may be one server or a Redis Cluster. Server-wide commands (CONFIG, INFO, DBSIZE, SCAN)
 * run on every primary; keys are only ever touched one per command (no multi-key UNLINK, no cross-key
 * MULTI), so no command can span two hash slots.
 */
export class RedisCacheStore implements CacheStore {
  constructor(private readonly redis: RedisClient) {}

  async applyLfuPolicy(s: LfuSettings): Promise<boolean> {
    try {
      for (const node of primaryNodes(this.redis)) {
        await node.config('SET', 'maxmemory-policy', 'allkeys-lfu');
        await node.config('SET', 'maxmemory', s.maxmemory);
        await node.config('SET', 'lfu-log-factor', String(s.lfuLogFactor));
        await node.config('SET', 'lfu-decay-time', String(s.lfuDecayTimeMin));
      }
      return true;
    } catch {
      return false;
    }
  }

  /** Summed over the primaries (maxmemory too: the cluster's total budget); the policy is the first's. */
  async stats(): Promise<CacheStats> {
    const perNode = await Promise.all(primaryNodes(this.redis).map((node) => nodeStats(node)));
    const sum = (pick: (s: CacheStats) => number) => perNode.reduce((acc, s) => acc + pick(s), 0);
    return {
      keys: sum((s) => s.keys),
      usedMemoryBytes: sum((s) => s.usedMemoryBytes),
      maxmemoryBytes: sum((s) => s.maxmemoryBytes),
      policy: perNode[0]?.policy ?? '',
      evictedKeys: sum((s) => s.evictedKeys),
      keyspaceHits: sum((s) => s.keyspaceHits),
      keyspaceMisses: sum((s) => s.keyspaceMisses),
    };
  }

  async deleteMatching(pattern: string): Promise<number> {
    let deleted = 0;
    for (const node of primaryNodes(this.redis)) {
      await scanNode(node, pattern, async (keys) => {
        // One UNLINK per key: in a cluster, keys of one node still live in different slots.
        const pipe = node.pipeline();
        for (const key of keys) pipe.unlink(key);
        for (const [err, n] of (await pipe.exec()) ?? []) if (!err) deleted += Number(n) || 0;
      });
    }
    return deleted;
  }

  async hottest(pattern: string, limit: number): Promise<HotEntry[]> {
    if (limit <= 0) return [];
    // Keep only the best `limit` while scanning, so memory stays bounded on a large cache.
    let best: { key: string; freq: number; node: Redis }[] = [];
    for (const node of primaryNodes(this.redis)) {
      await scanNode(node, pattern, async (keys) => {
        // Pipelined on the node that SCAN found them on: single-key commands, so any slot is fine.
        const pipe = node.pipeline();
        for (const key of keys) pipe.object('FREQ', key);
        const freqs = (await pipe.exec()) ?? [];
        keys.forEach((key, i) => {
          const [err, freq] = freqs[i] ?? [];
          if (!err && typeof freq === 'number') best.push({ key, freq, node });
        });
        if (best.length > 4 * limit) best = best.sort((a, b) => b.freq - a.freq).slice(0, limit);
      });
    }
    best = best.sort((a, b) => b.freq - a.freq).slice(0, limit);
    if (best.length === 0) return [];
    // GET would bump the counters being exported; DUMP-free read via GET is acceptable here because the
    // keys are already the hottest (their counters are saturating, one bump changes nothing).
    const answers = await Promise.all(
      best.map(({ key, node }) => Promise.all([node.get(key), node.ttl(key)]).catch(() => [null, -1])),
    );
    const out: HotEntry[] = [];
    best.forEach(({ key, freq }, i) => {
      const [value, ttl] = answers[i];
      if (typeof value === 'string') out.push({ key, value, ttlS: typeof ttl === 'number' ? ttl : -1, freq });
    });
    return out;
  }

  async load(entries: readonly HotEntry[]): Promise<number> {
    if (entries.length === 0) return 0;
    // Separate commands (ioredis pipelines them per connection): a cluster routes each key to its node.
    const answers = await Promise.all(
      entries.map((e) =>
        (e.ttlS > 0
          ? this.redis.set(e.key, e.value, 'EX', e.ttlS, 'NX')
          : this.redis.set(e.key, e.value, 'NX')
        ).catch(() => null),
      ),
    );
    return answers.filter((ok) => ok === 'OK').length;
  }

  async exists(key: string): Promise<boolean> {
    return (await this.redis.exists(key)) === 1;
  }
}

async function nodeStats(node: Redis): Promise<CacheStats> {
  const [memory, stats, keys] = await Promise.all([node.info('memory'), node.info('stats'), node.dbsize()]);
  const field = (info: string, name: string) =>
    new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim() ?? '';
  return {
    keys,
    usedMemoryBytes: Number(field(memory, 'used_memory')) || 0,
    maxmemoryBytes: Number(field(memory, 'maxmemory')) || 0,
    policy: field(memory, 'maxmemory_policy'),
    evictedKeys: Number(field(stats, 'evicted_keys')) || 0,
    keyspaceHits: Number(field(stats, 'keyspace_hits')) || 0,
    keyspaceMisses: Number(field(stats, 'keyspace_misses')) || 0,
  };
}

/** SCAN one server to the end, a batch of keys at a time. */
async function scanNode(
  node: Redis,
  pattern: string,
  onKeys: (keys: string[]) => Promise<void>,
): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
    cursor = next;
    if (keys.length) await onKeys(keys);
  } while (cursor !== '0');
}
