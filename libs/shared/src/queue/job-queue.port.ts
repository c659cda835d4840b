/**
 * Port: a job queue. Producers and workers talk to this interface, never to BullMQ, so that the queue
 * technology stays one file (bullmq-job-queue.ts) and tests can exercise the same code paths.
 */
export interface EnqueueOptions {
  /** 1 = highest. See jobPriority(). */
  priority: number;
  /** Idempotency key: a second add with the same id is ignored while the first exists. */
  jobId?: string;
}

export interface QueueJob<T> {
  id: string;
  name: string;
  data: T;
  /** Attempts already made before this one (0 on the first). */
  attemptsMade: number;
  /** When the job was added (ms since epoch). */
  timestamp: number;
}

export interface WorkOptions<T = unknown> {
  concurrency: number;
  /** The consuming worker's id, recorded on each job it takes (BullMQ processedBy): who held a job. */
  name?: string;
  /**
   * Called on the one worker that takes up a job the queue gave up on without running it again (it lost
   * its lock more than queue.max_stalled_count times, e.g. its workers were killed mid-job): the handler
   * never sees it, so this is where its waiter is told. It logs its own errors: a rejection is dropped.
   */
  onAbandoned?: (job: QueueJob<T>, reason: string) => Promise<void>;
}

export type JobHandler<T> = (job: QueueJob<T>) => Promise<void>;

export interface QueueDepth {
  waiting: number;
  prioritized: number;
  active: number;
  delayed: number;
  failed: number;
}

export interface JobQueue {
  add<T>(queue: string, name: string, data: T, opts: EnqueueOptions): Promise<string>;
  /** Whether the queue still holds the job in any state (waiting, active, completed, failed …). */
  has(queue: string, jobId: string): Promise<boolean>;
  /** Starts consuming `queue`; resolves once the worker is connected. */
  work<T>(queue: string, handler: JobHandler<T>, opts: WorkOptions<T>): Promise<WorkerHandle>;
  depth(queue: string): Promise<QueueDepth>;
  close(): Promise<void>;
}

export interface WorkerHandle {
  /** Stops taking new jobs and waits for the running ones (graceful) unless force is set. */
  close(force?: boolean): Promise<void>;
}

export const JOB_QUEUE = Symbol('JobQueue');
