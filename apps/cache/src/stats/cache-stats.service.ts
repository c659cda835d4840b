import type { CacheEventV1, Metrics } from '@olt/shared';
import type { CacheStats, CacheStore } from '../store/cache-store.port';

/** Turns lookup and write events and the server's INFO into the olt_cache_* series. */
export class CacheStatsRecorder {
  private lastEvicted?: number;
  readonly lookups = { hit: 0, miss: 0 };
  readonly writes = { real: 0, warming: 0 };

  constructor(
    private readonly store: CacheStore,
    private readonly metrics: Metrics,
  ) {
    // Present from the start, so dashboards show 0 instead of "no data".
    for (const result of ['hit', 'miss']) metrics.get('cacheLookupsTotal').inc({ result }, 0);
    for (const source of ['real', 'warming']) metrics.get('cacheWritesTotal').inc({ source }, 0);
    metrics.get('cacheWarmedHitsTotal').inc(0);
    metrics.get('cacheEvictionsTotal').inc(0);
  }

  onEvent = (e: CacheEventV1): void => {
    if (e.kind === 'write') {
      const source = e.warming ? 'warming' : 'real';
      this.writes[source]++;
      this.metrics.get('cacheWritesTotal').inc({ source });
      return;
    }
    this.lookups[e.kind]++;
    this.metrics.get('cacheLookupsTotal').inc({ result: e.kind });
  };

  /** Reads INFO; evictions are a counter of the difference (a server restart resets evicted_keys). */
  async poll(): Promise<CacheStats> {
    const stats = await this.store.stats();
    if (this.lastEvicted !== undefined && stats.evictedKeys >= this.lastEvicted)
      this.metrics.get('cacheEvictionsTotal').inc(stats.evictedKeys - this.lastEvicted);
    this.lastEvicted = stats.evictedKeys;
    this.metrics.get('cacheKeys').set(stats.keys);
    this.metrics.get('cacheMemoryBytes').set(stats.usedMemoryBytes);
    return stats;
  }
}
