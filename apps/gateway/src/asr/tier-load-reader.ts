import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import {
  ASR_TIERS,
  JOB_QUEUE,
  QUEUE_REDIS,
  asrQueueName,
  listWorkers,
  type AsrTier,
  type JobQueue,
  type QueueDepth,
} from '@olt/shared';

/** Raw counts of one tier: its workers' slots and the jobs no worker has taken yet. */
export interface TierCounts {
  workers: number;
  /** Jobs the tier's workers take at once (sum of their heartbeats' slots; 1 per worker when unknown). */
  slots: number;
  depth: QueueDepth;
}

/** Port: reads every tier's live workers and queue counts (the side effects of tier routing). */
export interface TierLoadReader {
  read(): Promise<Map<AsrTier, TierCounts>>;
}
export const TIER_LOAD_READER = Symbol('TierLoadReader');

/** Heartbeats (SCAN + MGET) and BullMQ job counts, one round per refresh for all tiers. */
@Injectable()
export class RedisTierLoadReader implements TierLoadReader {
  constructor(
    @Inject(QUEUE_REDIS) private readonly redis: Redis,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
  ) {}

  async read(): Promise<Map<AsrTier, TierCounts>> {
    const [workers, depths] = await Promise.all([
      listWorkers(this.redis, 'asr'),
      Promise.all(ASR_TIERS.map((tier) => this.queue.depth(asrQueueName(tier)))),
    ]);
    return new Map(
      ASR_TIERS.map((tier, i) => {
        const mine = workers.filter((w) => w.tier === tier);
        const slots = mine.reduce((sum, w) => sum + Math.max(1, w.slots ?? 1), 0);
        return [tier, { workers: mine.length, slots, depth: depths[i] }];
      }),
    );
  }
}
