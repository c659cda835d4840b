/**
 * The BullMQ adapter of the job queue (libs/shared/src/queue/bullmq-job-queue.ts) against a real
 * redis-server: a job whose workers die holding it is given up after queue.max_stalled_count stalls, and the
 * gateway waiting for it must hear so at once, not after its result timeout.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { BullmqJobQueue, type QueueJob, type WorkerHandle } from '@olt/shared';
import { startRedisServer, type RedisServer } from './redis-server';
import { until } from '../testing';

describe('BullmqJobQueue: a job whose workers keep dying', () => {
  let server: RedisServer;
  let redis: Redis;
  let queue: BullmqJobQueue;

  before(async () => {
    server = await startRedisServer({ policy: 'noeviction', name: 'bullmq-abandon' });
    redis = new Redis(server.url, { maxRetriesPerRequest: null });
    queue = new BullmqJobQueue({
      connection: redis,
      prefix: 'test:bull',
      attempts: 3,
      backoffMs: 10,
      lockDurationMs: 400,
      stalledIntervalMs: 100,
      maxStalledCount: 1,
      removeOnComplete: 10,
      removeOnFail: 10,
    });
  });
  after(async () => {
    await queue.close();
    await redis.quit();
    await server.stop();
  });

  it('is given up after max_stalled_count stalls, and the next worker answers it through onAbandoned without running it', async () => {
    const started: string[] = [];
    const hang = (worker: string) => async (job: QueueJob<{ n: number }>) => {
      started.push(`${worker}:${job.data.n}`);
      await new Promise(() => undefined); // the process "dies" with the job (force close below)
    };
    const abandoned: Array<{ id: string; reason: string; n: number }> = [];
    const kill = async (w: WorkerHandle) => w.close(true);

    await queue.add('q-abandon', 'job', { n: 7 }, { jobId: 'job-7', priority: 1 });
    // Two workers take it in turn and die holding it: two stalls, one more than max_stalled_count.
    const first = await queue.work('q-abandon', hang('first'), { concurrency: 1 });
    await until('the first worker to take the job', () => started.length === 1, 15_000);
    await kill(first);
    const second = await queue.work('q-abandon', hang('second'), { concurrency: 1 });
    await until('the second worker to take it after its lock lapsed', () => started.length === 2, 15_000);
    await kill(second);
    const third = await queue.work('q-abandon', hang('third'), {
      concurrency: 1,
      onAbandoned: async (job, reason) => {
        abandoned.push({ id: job.id, reason, n: job.data.n });
      },
    });
    await until('the third worker to answer the abandoned job', () => abandoned.length === 1, 15_000);
    assert.deepEqual(abandoned, [{ id: 'job-7', reason: 'job stalled more than allowable limit', n: 7 }]);
    assert.deepEqual(started, ['first:7', 'second:7'], 'the abandoned job never runs again');
    assert.equal((await queue.depth('q-abandon')).failed, 1);
    await third.close();
  });

  it('does not call onAbandoned for a job that fails in its handler (that path answers itself)', async () => {
    let calls = 0;
    let failures = 0;
    let failed = 0;
    await queue.add('q-fail', 'job', { n: 1 }, { jobId: 'fail-1', priority: 1 });
    const poll = setInterval(() => {
      void queue.depth('q-fail').then((d) => (failed = d.failed));
    }, 50);
    const worker = await queue.work(
      'q-fail',
      async () => {
        failures++;
        throw new Error('boom');
      },
      { concurrency: 1, onAbandoned: async () => void calls++ },
    );
    await until('three attempts', () => failures === 3, 15_000);
    await until('the job to fail for good', () => failed === 1, 15_000);
    clearInterval(poll);
    assert.equal(calls, 0);
    await worker.close();
  });
});
