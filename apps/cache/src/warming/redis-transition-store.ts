import type { RedisClient, Successor, TransitionStore } from '@olt/shared';

const PREFIX = 'olt:v1:warm';
/** Member holding a context's total weight inside its ZSET (successor ids are hex, so no clash). */
const TOTAL = '#';

export interface RedisTransitionStoreOptions {
  maxContexts: number;
  maxSuccessors: number;
  /** Idle contexts and texts expire after this (a second bound, besides maxContexts). */
  ttlS: number;
}

/**
 * The phrase chain in Redis: one ZSET per context (successor → decayed weight, plus the total), an index
 * ZSET of contexts by last use, and phrase texts as plain keys. Bounded three ways: successors trimmed to
 * the strongest maxSuccessors, the least recently used contexts dropped beyond maxContexts, and everything
 * expiring when idle. Every MULTI and every command touches one key, so it runs on a Redis Cluster too
 * (the context ZSET and the index live in different slots; the index is only a bound, so the two steps
 * need not be atomic together).
 */
export class RedisTransitionStore implements TransitionStore {
  private readonly index = `${PREFIX}:contexts`;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: RedisTransitionStoreOptions,
  ) {}

  async bump(context: string, next: string, weight: number): Promise<void> {
    const key = `${PREFIX}:ctx:${context}`;
    const { maxSuccessors, maxContexts, ttlS } = this.options;
    await this.redis
      .multi()
      .zincrby(key, weight, next)
      .zincrby(key, weight, TOTAL)
      // Ranks 0..-(maxSuccessors+2) are everything below the total and the strongest maxSuccessors.
      .zremrangebyrank(key, 0, -(maxSuccessors + 2))
      .expire(key, ttlS)
      .exec();
    const [, size] = await Promise.all([
      this.redis.zadd(this.index, Date.now(), key),
      this.redis.zcard(this.index),
    ]);
    if (size > maxContexts) {
      const evicted = (await this.redis.zpopmin(this.index, size - maxContexts)).filter(
        (_, i) => i % 2 === 0,
      );
      await Promise.all(evicted.map((k) => this.redis.unlink(k)));
    }
  }

  async top(context: string, n: number): Promise<{ total: number; successors: Successor[] }> {
    const raw = await this.redis.zrevrange(`${PREFIX}:ctx:${context}`, 0, n, 'WITHSCORES');
    let total = 0;
    const successors: Successor[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      if (raw[i] === TOTAL) total = Number(raw[i + 1]);
      else successors.push({ next: raw[i], score: Number(raw[i + 1]) });
    }
    return { total, successors: successors.slice(0, n) };
  }

  async rememberText(phraseId: string, text: string): Promise<void> {
    await this.redis.set(`${PREFIX}:text:${phraseId}`, text, 'EX', this.options.ttlS);
  }

  async textOf(phraseId: string): Promise<string | undefined> {
    return (await this.redis.get(`${PREFIX}:text:${phraseId}`)) ?? undefined;
  }

  /** Contexts held now (tests and stats). */
  contextCount(): Promise<number> {
    return this.redis.zcard(this.index);
  }
}
