import type { Redis } from 'ioredis';
import { translateMissLockKey } from '@olt/shared';

/** Port: a short lock per cache key, so that concurrent misses for the same text are translated once. */
export interface MissLock {
  /** True when this caller now holds the lock for `ttlMs` (it then translates and releases). */
  acquire(cacheKey: string, owner: string, ttlMs: number): Promise<boolean>;
  /** True while someone holds the lock. */
  held(cacheKey: string): Promise<boolean>;
  release(cacheKey: string, owner: string): Promise<void>;
}

// Delete only our own lock: after a TTL expiry another worker may hold it.
const RELEASE_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

/** The lock in the queue Redis (noeviction: a lock must not vanish under memory pressure). */
export class RedisMissLock implements MissLock {
  constructor(private readonly redis: Redis) {}

  async acquire(cacheKey: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(translateMissLockKey(cacheKey), owner, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async held(cacheKey: string): Promise<boolean> {
    return (await this.redis.exists(translateMissLockKey(cacheKey))) === 1;
  }

  async release(cacheKey: string, owner: string): Promise<void> {
    await this.redis.eval(RELEASE_SCRIPT, 1, translateMissLockKey(cacheKey), owner);
  }
}
