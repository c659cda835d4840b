import type { Logger } from 'pino';
import { AppError } from '../errors';
import type { Metrics } from '../metrics';

export interface FailedJobOptions {
  err: unknown;
  /** Attempts made before this one (BullMQ's attemptsMade) and the total allowed (queue.attempts). */
  attemptsMade: number;
  attempts: number;
  queueName: string;
  metrics: Metrics;
  logger: Pick<Logger, 'warn'>;
  /** Log fields that identify the job (job id, session and tenant ids). */
  context: Record<string, unknown>;
  what: string;
  /** Tells the waiting gateway that the job failed for good. */
  answerFailure: () => Promise<void>;
}

/**
 * What a worker does with a failed job, the same for every kind: a retryable error (not an AppError, and
 * attempts left) is rethrown so BullMQ retries it, possibly on another worker; otherwise the gateway gets
 * an ok=false reply at once instead of waiting for its timeout.
 */
export async function settleFailedJob(o: FailedJobOptions): Promise<void> {
  const retryable = !(o.err instanceof AppError) && o.attemptsMade + 1 < o.attempts;
  o.logger.warn({ err: o.err, ...o.context, retryable }, `${o.what} failed`);
  if (retryable) {
    o.metrics.jobsTotal.inc({ queue: o.queueName, outcome: 'retry' });
    throw o.err;
  }
  o.metrics.jobsTotal.inc({ queue: o.queueName, outcome: 'error' });
  await o.answerFailure();
}
