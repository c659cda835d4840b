import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { CACHE_REDIS, QUEUE_REDIS, listWorkers, type RedisClient, withDeadline } from '@olt/shared';
import { ReplyRouter } from '../results/reply-router.service';

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail: string }>;
  /** Live workers per kind: information, never part of `ready` (jobs wait in their queue for a worker). */
  workers: Record<'asr' | 'translate', { alive: number; detail: string }>;
}

/**
 * Ready = this gateway can accept and queue: both Redis servers answer and it can read its workers'
 * replies (a gateway that cannot would accept streams it can never answer, so that check turns it red at
 * once). Workers are reported, not required: a gateway that went unready whenever a worker pool scaled to
 * zero or restarted would take every stream down with it, and the queue holds the work meanwhile.
 */
@Injectable()
export class ReadinessService {
  constructor(
    @Inject(QUEUE_REDIS) private readonly queueRedis: Redis,
    @Inject(CACHE_REDIS) private readonly cacheRedis: RedisClient,
    private readonly replies: ReplyRouter,
  ) {}

  async check(): Promise<ReadinessReport> {
    const checks: ReadinessReport['checks'] = {};
    checks.queueRedis = await ping(this.queueRedis);
    checks.cacheRedis = await ping(this.cacheRedis);
    checks.replies = this.replies.health();
    const workers = {} as ReadinessReport['workers'];
    for (const kind of ['asr', 'translate'] as const) {
      if (!checks.queueRedis.ok) {
        workers[kind] = { alive: 0, detail: 'unknown: queue Redis unreachable' };
        continue;
      }
      try {
        const alive = await withDeadline(listWorkers(this.queueRedis, kind), 1000);
        workers[kind] = {
          alive: alive.length,
          detail: alive.length
            ? `${alive.length} alive (${[...new Set(alive.map((w) => w.model))].join(', ')})`
            : 'none alive: jobs wait in the queue until a worker starts',
        };
      } catch (err) {
        workers[kind] = { alive: 0, detail: `unknown: ${(err as Error).message}` };
      }
    }
    return { ready: Object.values(checks).every((c) => c.ok), checks, workers };
  }
}

async function ping(redis: RedisClient): Promise<{ ok: boolean; detail: string }> {
  try {
    const started = performance.now();
    await withDeadline(redis.ping(), 1000);
    return { ok: true, detail: `PONG in ${(performance.now() - started).toFixed(1)} ms` };
  } catch (err) {
    return { ok: false, detail: (err as Error).message };
  }
}
