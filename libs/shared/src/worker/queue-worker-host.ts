import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ModelInfo } from '../engines';
import type { Metrics } from '../metrics';
import type { JobHandler, JobQueue, QueueJob, WorkerHandle } from '../queue/job-queue.port';
import { WorkerHeartbeat, type WorkerPresence } from '../queue/worker-heartbeat';
import { WorkerHttpServer } from './worker-http-server';

export interface QueueWorkerHostOptions<T> {
  queue: JobQueue;
  queueName: string;
  handler: JobHandler<T>;
  /**
   * Tells the waiting gateway about a job the queue gave up on without running it again (it stalled more
   * than queue.max_stalled_count times); without this the gateway would wait for its result timeout.
   */
  abandoned?: (job: QueueJob<T>, reason: string) => Promise<void>;
  concurrency: number;
  redis: Redis;
  kind: WorkerPresence['kind'];
  workerId: string;
  tier: string;
  device: string;
  model: ModelInfo;
  metrics: Metrics;
  heartbeatMs: number;
  http: { port: number; registry: Registry };
  logger: Logger;
  /**
   * More about where the model runs, shown in readiness (`hardware`): e.g. the WorkerPlacement (GPU, usable
   * VRAM, providers that loaded or not, step-downs).
   */
  placement?: object;
}

/**
 * What every worker process does around its job handler: consume the queue, announce itself with a
 * heartbeat (the gateway's readiness looks for it), serve health and metrics, and on shutdown stop taking
 * jobs and finish the running ones before leaving.
 */
export class QueueWorkerHost<T> {
  private worker?: WorkerHandle;
  private heartbeat?: WorkerHeartbeat;
  private http?: WorkerHttpServer;
  private consuming = false;
  private depthTimer?: NodeJS.Timeout;

  constructor(private readonly opts: QueueWorkerHostOptions<T>) {}

  async start(): Promise<{ httpPort: number }> {
    const o = this.opts;
    const { presence, modelLabels } = describeWorker(o);
    o.metrics.modelInfo.set(modelLabels, 1);
    this.http = new WorkerHttpServer({
      port: o.http.port,
      registry: o.http.registry,
      readiness: async () => ({
        ready: this.consuming,
        queue: o.queueName,
        ...presence,
        device: o.device,
        precision: o.model.precision,
        ...(o.placement ? { hardware: o.placement } : {}),
      }),
    });
    const httpPort = await this.http.start();
    const { abandoned } = o;
    this.worker = await o.queue.work(o.queueName, o.handler, {
      concurrency: o.concurrency,
      name: o.workerId,
      ...(abandoned
        ? {
            onAbandoned: async (job: QueueJob<T>, reason: string) => {
              o.metrics.jobsTotal.inc({ queue: o.queueName, outcome: 'abandoned' });
              o.logger.warn({ jobId: job.id, reason }, 'job abandoned by the queue; answering its waiter');
              await abandoned(job, reason).catch((err: unknown) =>
                o.logger.warn({ err, jobId: job.id }, 'could not answer an abandoned job'),
              );
            },
          }
        : {}),
    });
    this.consuming = true;
    this.heartbeat = new WorkerHeartbeat(o.redis, presence, o.heartbeatMs);
    await this.heartbeat.start();
    o.metrics.workerUp.set(1);
    // Queue depth by state, from the worker that serves the queue: what autoscalers (KEDA) scale on.
    // BullMQ keeps prioritized jobs in their own set, so they are counted separately from "waiting".
    this.depthTimer = setInterval(() => void this.exportDepth(), Math.max(1000, o.heartbeatMs));
    this.depthTimer.unref();
    o.logger.info(
      { queue: o.queueName, concurrency: o.concurrency, httpPort, ...presence, precision: o.model.precision },
      'worker consuming',
    );
    if (o.model.isTestModel) {
      o.logger.warn(
        { model: o.model.id, path: o.model.path },
        'running a generated TEST model: its text is deterministic nonsense',
      );
    }
    return { httpPort };
  }

  async stop(): Promise<void> {
    this.consuming = false;
    clearInterval(this.depthTimer);
    this.opts.metrics.workerUp.set(0);
    await this.heartbeat?.stop();
    await this.worker?.close();
    await this.http?.stop();
  }

  private async exportDepth(): Promise<void> {
    try {
      const depth = await this.opts.queue.depth(this.opts.queueName);
      for (const [state, count] of Object.entries(depth)) {
        this.opts.metrics.queueDepth.set({ queue: this.opts.queueName, state }, count);
      }
    } catch (err) {
      this.opts.logger.warn({ err }, 'queue depth poll failed');
    }
  }
}

/** The model-info gauge and heartbeat presence every worker publishes, built the same way for all kinds. */
function describeWorker(opts: {
  kind: WorkerPresence['kind'];
  workerId: string;
  tier: string;
  device: string;
  model: ModelInfo;
  concurrency: number;
}): { presence: WorkerPresence; modelLabels: Record<string, string> } {
  return {
    presence: {
      workerId: opts.workerId,
      kind: opts.kind,
      model: opts.model.id,
      tier: opts.tier,
      executionProvider: opts.model.executionProvider,
      startedAt: Date.now(),
      slots: opts.concurrency,
    },
    modelLabels: {
      kind: opts.kind,
      model: opts.model.id,
      precision: opts.model.precision,
      execution_provider: opts.model.executionProvider,
      tier: opts.tier,
      device: opts.device,
    },
  };
}
