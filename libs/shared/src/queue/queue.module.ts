import { Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { ConfigService } from '../config';
import { QUEUE_REDIS } from '../redis';
import { BullmqJobQueue } from './bullmq-job-queue';
import { bullmqPrefix } from './contracts';
import { JOB_QUEUE, type JobQueue } from './job-queue.port';
import { REPLY_PUBLISHER, RedisReplyPublisher } from './reply-stream';
import { RedisSegmentStore, SEGMENT_STORE } from './segment-store';

@Injectable()
class JobQueueCloser implements OnApplicationShutdown {
  constructor(@Inject(JOB_QUEUE) private readonly queue: JobQueue) {}
  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}

/** Queue-side ports (job queue, segment audio, reply streams) on the queue Redis. */
@Global()
@Module({
  providers: [
    {
      provide: JOB_QUEUE,
      inject: [QUEUE_REDIS, ConfigService],
      useFactory: (redis: Redis, config: ConfigService): JobQueue => {
        const q = config.current.queue;
        return new BullmqJobQueue({
          connection: redis,
          prefix: bullmqPrefix(config.current.redis.keyPrefix),
          attempts: q.attempts,
          backoffMs: q.backoffMs,
          lockDurationMs: q.lockDurationMs,
          stalledIntervalMs: q.stalledIntervalMs,
          maxStalledCount: q.maxStalledCount,
          removeOnComplete: q.removeOnComplete,
          removeOnFail: q.removeOnFail,
        });
      },
    },
    {
      provide: SEGMENT_STORE,
      inject: [QUEUE_REDIS],
      useFactory: (redis: Redis) => new RedisSegmentStore(redis),
    },
    {
      provide: REPLY_PUBLISHER,
      inject: [QUEUE_REDIS],
      useFactory: (redis: Redis) => new RedisReplyPublisher(redis),
    },
    JobQueueCloser,
  ],
  exports: [JOB_QUEUE, SEGMENT_STORE, REPLY_PUBLISHER],
})
export class QueueModule {}
