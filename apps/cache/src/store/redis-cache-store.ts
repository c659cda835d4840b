import type { Redis } from 'ioredis';
import type { CacheStats, CacheStore, HotEntry, LfuSettings } from './cache-store.port';

const SCAN_COUNT = 1000;

export class RedisCacheStore implements CacheStore {
  constructor(private readonly redis: Redis) {}

  async applyLfuPolicy(s: LfuSettings): Promise<boolean> {
    try {
      await this.redis.config('SET', 'maxmemory-policy', 'allkeys-lfu');
      await this.redis.config('SET', 'maxmemory', s.maxmemory);
      await this.redis.config('SET', 'lfu-log-factor', String(s.lfuLogFactor));
      await this.redis.config('SET', 'lfu-decay-time', String(s.lfuDecayTimeMin));
      return true;
    } catch {
      return false;
    }
  }

  async stats(): Promise<CacheStats> {
    const [memory, stats, keys] = await Promise.all([
      this.redis.info('memory'),
      this.redis.info('stats'),
      this.redis.dbsize(),
    ]);
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

  async deleteMatching(pattern: string): Promise<number> {
    let cursor = '0';
    let deleted = 0;
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
      cursor = next;
      if (keys.length) deleted += await this.redis.unlink(...keys);
    } while (cursor !== '0');
    return deleted;
  }

  async hottest(pattern: string, limit: number): Promise<HotEntry[]> {
    if (limit <= 0) return [];
    // Keep only the best `limit` while scanning, so memory stays bounded on a large cache.
    let best: { key: string; freq: number }[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
      cursor = next;
      if (keys.length === 0) continue;
      const pipe = this.redis.pipeline();
      for (const key of keys) pipe.object('FREQ', key);
      const freqs = (await pipe.exec()) ?? [];
      keys.forEach((key, i) => {
        const [err, freq] = freqs[i] ?? [];
        if (!err && typeof freq === 'number') best.push({ key, freq });
      });
      if (best.length > 4 * limit) best = best.sort((a, b) => b.freq - a.freq).slice(0, limit);
    } while (cursor !== '0');
    best = best.sort((a, b) => b.freq - a.freq).slice(0, limit);
    if (best.length === 0) return [];
    // GET would bump the counters being exported; DUMP-free read via a pipeline of GET is acceptable here
    // because the keys are already the hottest (their counters are saturating, one bump changes nothing).
    const pipe = this.redis.pipeline();
    for (const { key } of best) pipe.get(key).ttl(key);
    const answers = (await pipe.exec()) ?? [];
    const out: HotEntry[] = [];
    best.forEach(({ key, freq }, i) => {
      const value = answers[2 * i]?.[1];
      const ttl = answers[2 * i + 1]?.[1];
      if (typeof value === 'string') out.push({ key, value, ttlS: typeof ttl === 'number' ? ttl : -1, freq });
    });
    return out;
  }

  async load(entries: readonly HotEntry[]): Promise<number> {
    if (entries.length === 0) return 0;
    const pipe = this.redis.pipeline();
    for (const e of entries) {
      if (e.ttlS > 0) pipe.set(e.key, e.value, 'EX', e.ttlS, 'NX');
      else pipe.set(e.key, e.value, 'NX');
    }
    const answers = (await pipe.exec()) ?? [];
    return answers.filter(([err, ok]) => !err && ok === 'OK').length;
  }

  async exists(key: string): Promise<boolean> {
    return (await this.redis.exists(key)) === 1;
  }
}
