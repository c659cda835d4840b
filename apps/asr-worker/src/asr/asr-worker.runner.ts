import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { Redis } from 'ioredis';
import {
  ASR_ENGINE,
  ConfigService,
  JOB_QUEUE,
  Metrics,
  MetricsRegistry,
  QUEUE_REDIS,
  QueueWorkerHost,
  WORKER_PLACEMENT,
  type WorkerPlacement,
  WorkerIdentity,
  asrQueueName,
  type AsrEngine,
  type AsrJobData,
  type JobQueue,
} from '@olt/shared';
import { TranscribeJobHandler } from './transcribe-job.handler';

/** Consumes this worker's tier queue once the engine has loaded; finishes running jobs on shutdown. */
@Injectable()
export class AsrWorkerRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private host?: QueueWorkerHost<AsrJobData>;

  constructor(
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(QUEUE_REDIS) private readonly redis: Redis,
    @Inject(ASR_ENGINE) private readonly engine: AsrEngine,
    private readonly handler: TranscribeJobHandler,
    private readonly config: ConfigService,
    private readonly identity: WorkerIdentity,
    private readonly metrics: Metrics,
    private readonly registry: MetricsRegistry,
    @Inject(WORKER_PLACEMENT) private readonly placement: WorkerPlacement,
    @InjectPinoLogger(AsrWorkerRunner.name) private readonly logger: PinoLogger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { asr, workers } = this.config.current;
    this.host = new QueueWorkerHost<AsrJobData>({
      queue: this.queue,
      // The tier "auto" resolved to (or the configured one): this worker serves that tier's queue.
      queueName: asrQueueName(this.placement.tier),
      handler: this.handler.handle,
      abandoned: this.handler.abandoned,
      // Enough jobs in flight for full batches: each job waits in the batcher for its turn in the engine.
      concurrency: TranscribeJobHandler.jobConcurrency(asr),
      redis: this.redis,
      kind: 'asr',
      workerId: this.identity.id,
      tier: this.placement.tier,
      device: this.placement.device,
      placement: this.placement,
      model: this.engine.info,
      metrics: this.metrics,
      heartbeatMs: workers.heartbeatMs,
      http: { port: workers.httpPort, registry: this.registry },
      logger: this.logger.logger,
    });
    await this.host.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.host?.stop();
    await this.engine.dispose();
  }
}
