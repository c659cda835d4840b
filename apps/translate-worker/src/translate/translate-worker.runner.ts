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
  WorkerIdentity,
  translateQueueName,
  type JobQueue,
  type MtEngine,
  type TranslateJobData,
} from '@olt/shared';
import { TranslateJobHandler } from './translate-job.handler';

/** Consumes the translate queue once the engine has loaded; finishes running jobs on shutdown. */
@Injectable()
export class TranslateWorkerRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private host?: QueueWorkerHost<TranslateJobData>;

  constructor(
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(QUEUE_REDIS) private readonly redis: Redis,
    @Inject(MT_ENGINE) private readonly engine: MtEngine,
    private readonly handler: TranslateJobHandler,
    private readonly config: ConfigService,
    private readonly identity: WorkerIdentity,
    private readonly metrics: Metrics,
    private readonly registry: MetricsRegistry,
    @InjectPinoLogger(TranslateWorkerRunner.name) private readonly logger: PinoLogger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { translate, workers } = this.config.current;
    this.host = new QueueWorkerHost<TranslateJobData>({
      queue: this.queue,
      queueName: translateQueueName(),
      handler: this.handler.handle,
      concurrency: translate.concurrency,
      redis: this.redis,
      kind: 'translate',
      workerId: this.identity.id,
      tier: translate.tier,
      device: String(translate.deviceId),
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
