import { type Job, Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type {
  EnqueueOptions,
  JobHandler,
  JobQueue,
  QueueDepth,
  QueueJob,
  WorkerHandle,
  WorkOptions,
} from './job-queue.port';

export interface BullmqJobQueueOptions {
  /** Connection for producers (Queue). Reused across queues. */
  connection: Redis;
  /** BullMQ key prefix; on Redis Cluster use a hash tag, e.g. "{olt}". */
  prefix: string;
  attempts: number;
  backoffMs: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  /** Stalls (lost locks) a job survives before it fails; 1 = BullMQ's default. */
  maxStalledCount?: number;
  removeOnComplete: number;
  removeOnFail: number;
}

/** The BullMQ adapter of the JobQueue port. */
export class BullmqJobQueue implements JobQueue {
  private readonly queues = new Map<string, Queue>();
  private readonly workers = new Set<Worker>();
  /** The duplicated connection each worker blocks on; closed with the worker (BullMQ does not own it). */
  private readonly workerConnections = new Map<Worker, Redis>();

  constructor(private readonly opts: BullmqJobQueueOptions) {}

  async add<T>(queue: string, name: string, data: T, opts: EnqueueOptions): Promise<string> {
    const job = await this.queue(queue).add(name, data, {
      priority: opts.priority,
      jobId: opts.jobId,
      attempts: this.opts.attempts,
      backoff: { type: 'exponential', delay: this.opts.backoffMs },
      removeOnComplete: this.opts.removeOnComplete,
      removeOnFail: this.opts.removeOnFail,
    });
    return job.id ?? '';
  }

  async has(queue: string, jobId: string): Promise<boolean> {
    return (await this.queue(queue).getJobState(jobId)) !== 'unknown';
  }

  async work<T>(queue: string, handler: JobHandler<T>, opts: WorkOptions<T>): Promise<WorkerHandle> {
    // Workers block on BRPOPLPUSH-like calls: each needs its own connection (duplicate of the producer's).
    const connection = this.opts.connection.duplicate({ maxRetriesPerRequest: null }) as ConnectionOptions;
    const worker = new Worker<T>(queue, async (job) => handler(queueJob(job)), {
      connection,
      prefix: this.opts.prefix,
      concurrency: opts.concurrency,
      ...(opts.name ? { name: opts.name } : {}),
      lockDuration: this.opts.lockDurationMs,
      stalledInterval: this.opts.stalledIntervalMs,
      ...(this.opts.maxStalledCount ? { maxStalledCount: this.opts.maxStalledCount } : {}),
      autorun: true,
    });
    const { onAbandoned } = opts;
    if (onAbandoned) {
      // A job that stalled more than maxStalledCount times goes back to wait marked with a deferred failure;
      // the next worker to take it fails it at once (never running the handler) and emits 'failed' here.
      worker.on('failed', (job) => {
        // The callback logs its own errors (the port says so); nothing here could do better.
        if (job?.deferredFailure) onAbandoned(queueJob(job), job.deferredFailure).catch(() => undefined);
      });
    }
    this.workers.add(worker);
    this.workerConnections.set(worker, connection as unknown as Redis);
    await worker.waitUntilReady();
    return {
      close: async (force = false) => {
        await this.closeWorker(worker, force);
      },
    };
  }

  async depth(queue: string): Promise<QueueDepth> {
    const counts = await this.queue(queue).getJobCounts(
      'waiting',
      'prioritized',
      'active',
      'delayed',
      'failed',
    );
    return {
      waiting: counts.waiting ?? 0,
      prioritized: counts.prioritized ?? 0,
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      failed: counts.failed ?? 0,
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.workers].map((w) => this.closeWorker(w, false)));
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }

  private async closeWorker(worker: Worker, force: boolean): Promise<void> {
    if (!this.workers.delete(worker)) return;
    await worker.close(force);
    this.workerConnections.get(worker)?.disconnect();
    this.workerConnections.delete(worker);
  }

  private queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, {
        connection: this.opts.connection as ConnectionOptions,
        prefix: this.opts.prefix,
      });
      this.queues.set(name, q);
    }
    return q;
  }
}

function queueJob<T>(job: Job<T>): QueueJob<T> {
  return {
    id: job.id ?? '',
    name: job.name,
    data: job.data,
    attemptsMade: job.attemptsMade,
    timestamp: job.timestamp,
  };
}
