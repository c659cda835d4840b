import { createHash, randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { JOB_NAMES, translateQueueName, type TranslateJobData } from '@olt/shared';
import { WARMING_PRIORITY, type WarmingJob, type WarmingQueue } from './warming-queue.port';

/**
 * Warming jobs on the real translate queue, so the same workers (and their batching) serve them; their
 * priority puts them behind every real job, and BullMQ's per-priority counts tell real waiting jobs apart.
 */
export class BullmqWarmingQueue implements WarmingQueue {
  private readonly queue: Queue;

  constructor(connection: Redis, prefix: string) {
    this.queue = new Queue(translateQueueName(), { connection, prefix });
  }

  async realJobsWaiting(): Promise<number> {
    const [counts, warming] = await Promise.all([
      this.queue.getJobCounts('waiting', 'prioritized'),
      this.queue.getCountsPerPriority([WARMING_PRIORITY]),
    ]);
    return (counts.waiting ?? 0) + (counts.prioritized ?? 0) - (warming[String(WARMING_PRIORITY)] ?? 0);
  }

  async warmingJobsPending(): Promise<number> {
    const warming = await this.queue.getCountsPerPriority([WARMING_PRIORITY]);
    return warming[String(WARMING_PRIORITY)] ?? 0;
  }

  async enqueue(job: WarmingJob): Promise<boolean> {
    const data: TranslateJobData = {
      v: 1,
      reply: { gatewayId: 'cache-warming', sessionId: job.stream, requestId: randomUUID() },
      tenantId: job.tenant,
      segmentId: 'warming',
      revision: 0,
      isFinal: true,
      text: job.text,
      source: job.src,
      target: job.dst,
      cacheKey: job.cacheKey,
      enqueuedAt: Date.now(),
      warming: true,
    };
    // One queued warming job per key (BullMQ ignores an add whose id exists); ids may not contain ":".
    const jobId = `warm-${createHash('sha1').update(job.cacheKey).digest('hex')}`;
    const added = await this.queue.add(JOB_NAMES.translate, data, {
      priority: WARMING_PRIORITY,
      jobId,
      removeOnComplete: true,
      removeOnFail: true,
      attempts: 1,
    });
    return added.data.enqueuedAt === data.enqueuedAt && added.data.reply.requestId === data.reply.requestId;
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
