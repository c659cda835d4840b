/** One exported cache entry (export/import of the hottest keys, start-up reload). */
export interface HotEntry {
  key: string;
  value: string;
  /** Seconds left; -1 = no expiry. */
  ttlS: number;
  /** Redis's logarithmic LFU counter (OBJECT FREQ) at export. */
  freq: number;
}

export interface CacheStats {
  keys: number;
  usedMemoryBytes: number;
  maxmemoryBytes: number;
  policy: string;
  evictedKeys: number;
  keyspaceHits: number;
  keyspaceMisses: number;
}

export interface LfuSettings {
  maxmemory: string;
  lfuLogFactor: number;
  lfuDecayTimeMin: number;
}

/** Port: the translation cache Redis, as the cache service sees it (policy, stats, bulk operations). */
export interface CacheStore {
  /** CONFIG SET allkeys-lfu and the LFU knobs; false when the server forbids CONFIG (managed Redis). */
  applyLfuPolicy(settings: LfuSettings): Promise<boolean>;
  stats(): Promise<CacheStats>;
  /** Deletes every key matching the glob (SCAN + UNLINK in batches); returns how many went. */
  deleteMatching(pattern: string): Promise<number>;
  /** The `limit` keys matching the glob with the highest LFU counters. */
  hottest(pattern: string, limit: number): Promise<HotEntry[]>;
  /** Writes entries that are not there yet (NX: a newer translation is never overwritten). */
  load(entries: readonly HotEntry[]): Promise<number>;
  /** EXISTS: does not bump the LFU counter, so checking never makes an entry look popular. */
  exists(key: string): Promise<boolean>;
}

export const CACHE_STORE = Symbol('CacheStore');
