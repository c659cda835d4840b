import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { CACHE_REDIS, QUEUE_REDIS, listWorkers } from '@olt/shared';
import { ReplyRouter } from '../results/reply-router.service';

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail: string }>;
}

/**
 * Ready = both Redis servers answer, this gateway can read its workers' replies, and at least one ASR and
 * one translate worker is alive. A gateway that cannot read replies would accept streams it can never
 * answer, so that check turns it red at once.
 */
@Injectable()
export class ReadinessService {
  constructor(
    @Inject(QUEUE_REDIS) private readonly queueRedis: Redis,
    @Inject(CACHE_REDIS) private readonly cacheRedis: Redis,
    private readonly replies: ReplyRouter,
  ) {}

  async check(): Promise<ReadinessReport> {
    const checks: ReadinessReport['checks'] = {};
    checks.queueRedis = await ping(this.queueRedis);
    checks.cacheRedis = await ping(this.cacheRedis);
    checks.replies = this.replies.health();
    for (const kind of ['asr', 'translate'] as const) {
      if (!checks.queueRedis.ok) {
        checks[`${kind}Workers`] = { ok: false, detail: 'unknown: queue Redis unreachable' };
        continue;
      }
      const workers = await listWorkers(this.queueRedis, kind);
      checks[`${kind}Workers`] = {
        ok: workers.length > 0,
        detail: workers.length
          ? `${workers.length} alive (${[...new Set(workers.map((w) => w.model))].join(', ')})`
          : 'none alive',
      };
    }
    return { ready: Object.values(checks).every((c) => c.ok), checks };
  }
}

async function ping(redis: Redis): Promise<{ ok: boolean; detail: string }> {
  try {
    const started = performance.now();
    await withTimeout(redis.ping(), 1000);
    return { ok: true, detail: `PONG in ${(performance.now() - started).toFixed(1)} ms` };
  } catch (err) {
    return { ok: false, detail: (err as Error).message };
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref(),
    ),
  ]);
}
