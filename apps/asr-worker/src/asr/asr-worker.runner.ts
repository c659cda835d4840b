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
    @InjectPinoLogger(AsrWorkerRunner.name) private readonly logger: PinoLogger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { asr, workers } = this.config.current;
    this.host = new QueueWorkerHost<AsrJobData>({
      queue: this.queue,
      queueName: asrQueueName(asr.tier),
      handler: this.handler.handle,
      concurrency: asr.concurrency,
      redis: this.redis,
      kind: 'asr',
      workerId: this.identity.id,
      tier: asr.tier,
      device: String(asr.deviceId),
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
