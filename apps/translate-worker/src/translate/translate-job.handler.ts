import { Inject, Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import {
  AppError,
  ConfigService,
  Metrics,
  MT_ENGINE,
  REPLY_PUBLISHER,
  TRANSLATION_CACHE,
  WorkerIdentity,
  translateQueueName,
  type MtEngine,
  type QueueJob,
  type ReplyPublisher,
  type TranslateJobData,
  type TranslateReply,
  type TranslationCache,
} from '@olt/shared';

/**
 * Runs one translate job: cache first (another worker may have filled the key since the gateway looked),
 * else the model, then writes the result back to the cache and answers the owning gateway.
 */
@Injectable()
export class TranslateJobHandler {
  constructor(
    @Inject(MT_ENGINE) private readonly engine: MtEngine,
    @Inject(TRANSLATION_CACHE) private readonly cache: TranslationCache,
    @Inject(REPLY_PUBLISHER) private readonly replies: ReplyPublisher,
    private readonly config: ConfigService,
    private readonly metrics: Metrics,
    private readonly identity: WorkerIdentity,
    @InjectPinoLogger(TranslateJobHandler.name) private readonly logger: PinoLogger,
  ) {}

  readonly handle = async (job: QueueJob<TranslateJobData>): Promise<void> => {
    const d = job.data;
    const cfg = this.config.current;
    const queueName = translateQueueName();
    const queueMs = Date.now() - d.enqueuedAt;
    this.metrics.jobDuration.observe({ queue: queueName, stage: 'queue_wait' }, queueMs / 1000);
    const base: Omit<TranslateReply, 'ok' | 'text' | 'fromCache' | 'inferMs'> = {
      kind: 'translate',
      requestId: d.reply.requestId,
      sessionId: d.reply.sessionId,
      segmentId: d.segmentId,
      revision: d.revision,
      isFinal: d.isFinal,
      target: d.target,
      model: this.engine.info.id,
      workerId: this.identity.id,
      queueMs,
    };
    try {
      const cached = cfg.cache.enabled ? await this.cache.get(d.cacheKey).catch(() => undefined) : undefined;
      if (cached !== undefined) {
        await this.replies.publish(d.reply.gatewayId, {
          ...base,
          ok: true,
          text: cached,
          fromCache: true,
          inferMs: 0,
        });
        this.metrics.jobsTotal.inc({ queue: queueName, outcome: 'ok' });
        return;
      }
      const started = performance.now();
      const [result] = await this.engine.translate([{ text: d.text, source: d.source, target: d.target }]);
      const inferMs = performance.now() - started;
      this.metrics.jobDuration.observe({ queue: queueName, stage: 'inference' }, inferMs / 1000);
      this.metrics.batchSize.observe({ queue: queueName }, 1);
      if (cfg.cache.enabled) {
        // A cache outage must not lose the translation: log and answer anyway.
        await this.cache
          .set(d.cacheKey, result.text, cfg.cache.ttlS)
          .catch((err: unknown) => this.logger.warn({ err }, 'translation cache write failed'));
      }
      await this.replies.publish(d.reply.gatewayId, {
        ...base,
        ok: true,
        text: result.text,
        fromCache: false,
        inferMs,
      });
      this.metrics.jobsTotal.inc({ queue: queueName, outcome: 'ok' });
    } catch (err) {
      const retryable = !(err instanceof AppError) && job.attemptsMade + 1 < cfg.queue.attempts;
      this.logger.warn(
        { err, jobId: job.id, sessionId: d.reply.sessionId, tenantId: d.tenantId, retryable },
        'translate job failed',
      );
      if (retryable) {
        this.metrics.jobsTotal.inc({ queue: queueName, outcome: 'retry' });
        throw err;
      }
      this.metrics.jobsTotal.inc({ queue: queueName, outcome: 'error' });
      await this.replies.publish(d.reply.gatewayId, {
        ...base,
        ok: false,
        error: (err as Error).message,
        text: '',
        fromCache: false,
        inferMs: 0,
      });
    }
  };
}
