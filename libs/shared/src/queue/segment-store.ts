import type { Redis } from 'ioredis';

/**
 * Port: segment audio by reference. Audio never travels inside job data (it would bloat BullMQ's hashes
 * and every retry); the producer stores it under a key with a TTL and the job carries the key.
 */
export interface SegmentStore {
  put(key: string, audio: Float32Array, ttlSeconds: number): Promise<void>;
  /** Returns undefined when the key expired or never existed. */
  get(key: string): Promise<Float32Array | undefined>;
  delete(key: string): Promise<void>;
}

export const SEGMENT_STORE = Symbol('SegmentStore');

/** SegmentStore on the queue Redis (noeviction, so stored audio is never evicted before its job runs). */
export class RedisSegmentStore implements SegmentStore {
  constructor(private readonly redis: Redis) {}

  async put(key: string, audio: Float32Array, ttlSeconds: number): Promise<void> {
    const bytes = Buffer.from(audio.buffer, audio.byteOffset, audio.byteLength);
    await this.redis.set(key, bytes, 'EX', ttlSeconds);
  }

  async get(key: string): Promise<Float32Array | undefined> {
    const bytes = await this.redis.getBuffer(key);
    if (!bytes) return undefined;
    // Copy into an aligned buffer: Redis replies may start at any byte offset.
    const out = new Float32Array(bytes.byteLength / 4);
    Buffer.from(out.buffer).set(bytes);
    return out;
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(key);
  }
}
