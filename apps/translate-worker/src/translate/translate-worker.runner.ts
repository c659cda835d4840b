import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { Redis } from 'ioredis';
import {
  ConfigService,
  JOB_QUEUE,
  Metrics,
  MetricsRegistry,
  MT_ENGINE,
  QUEUE_REDIS,
  QueueWorkerHost,
  WORKER_PLACEMENT,
  type WorkerPlacement,
  WorkerIdentity,
  translateQueueName,
  type JobQueue,
  type MtEngine,
  type TranslateJobData,
} from '@olt/shared';
import { LanguageAnnouncer } from './language-announcer';
import { TranslateJobHandler } from './translate-job.handler';

/** Consumes the translate queue once the engine has loaded; finishes running jobs on shutdown. */
@Injectable()
export class TranslateWorkerRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private host?: QueueWorkerHost<TranslateJobData>;
  private announcer?: LanguageAnnouncer;

  constructor(
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(QUEUE_REDIS) private readonly redis: Redis,
    @Inject(MT_ENGINE) private readonly engine: MtEngine,
    private readonly handler: TranslateJobHandler,
    private readonly config: ConfigService,
    private readonly identity: WorkerIdentity,
    private readonly metrics: Metrics,
    private readonly registry: MetricsRegistry,
    @Inject(WORKER_PLACEMENT) private readonly placement: WorkerPlacement,
    @InjectPinoLogger(TranslateWorkerRunner.name) private readonly logger: PinoLogger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { translate, workers } = this.config.current;
    this.host = new QueueWorkerHost<TranslateJobData>({
      queue: this.queue,
      queueName: translateQueueName(),
      handler: this.handler.handle,
      abandoned: this.handler.abandoned,
      // Jobs are held while they wait for their batch: take enough to fill the batches that may run.
      concurrency: TranslateJobHandler.jobConcurrency(translate),
      redis: this.redis,
      kind: 'translate',
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
    // Languages first: once the heartbeat makes the gateway ready, ListLanguages must already see them.
    this.announcer = new LanguageAnnouncer(
      this.redis,
      this.identity.id,
      this.engine.languages,
      workers.heartbeatMs,
    );
    await this.announcer.start();
    await this.host.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.announcer?.stop();
    await this.host?.stop();
    await this.engine.dispose();
  }
}
