import type { Redis } from 'ioredis';
import { TRANSLATION_KEYS } from '../admin/invalidation-scope';
import type { CacheStore, HotEntry } from '../store/cache-store.port';

/** On the queue Redis (noeviction): a snapshot kept in the LFU cache itself could be evicted. */
export const HOT_KEYS_SNAPSHOT_KEY = 'olt:v1:cache-hot-keys';

/** Saves the hottest entries and reloads them after the cache Redis lost its data (restart, failover). */
export class HotKeySnapshots {
  constructor(
    private readonly store: CacheStore,
    private readonly durable: Redis,
    private readonly limit: number,
  ) {}

  export(limit = this.limit): Promise<HotEntry[]> {
    return this.store.hottest(TRANSLATION_KEYS, limit);
  }

  import(entries: readonly HotEntry[]): Promise<number> {
    return this.store.load(entries);
  }

  async save(): Promise<number> {
    const entries = await this.export();
    if (entries.length) await this.durable.set(HOT_KEYS_SNAPSHOT_KEY, JSON.stringify(entries));
    return entries.length;
  }

  async restore(): Promise<number> {
    const raw = await this.durable.get(HOT_KEYS_SNAPSHOT_KEY);
    if (!raw) return 0;
    return this.import(JSON.parse(raw) as HotEntry[]);
  }
}
