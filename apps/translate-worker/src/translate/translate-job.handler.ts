import { Inject, Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { Redis } from 'ioredis';
import {
  CACHE_EVENT_SINK,
  ConfigService,
  Metrics,
  MT_ENGINE,
  QUEUE_REDIS,
  REPLY_PUBLISHER,
  TRANSLATION_CACHE,
  WorkerIdentity,
  normaliseForCache,
  settleFailedJob,
  translateQueueName,
  type CacheEventSink,
  type MtEngine,
  type QueueJob,
  type ReplyPublisher,
  type TranslateJobData,
  type TranslateReply,
  type TranslationCache,
} from '@olt/shared';
import { CachedTranslator } from './cached-translator';
import { RedisMissLock } from './miss-lock';
import { TranslationBatcher } from './translation-batcher';
import { TextTranslator } from './text-translator';

/**
 * Runs one translate job: cache first (another worker may have filled the key since the gateway looked),
 * else the model through the batcher (concurrent jobs of one source language share a model call, whatever
 * their targets), then
 * writes the result back to the cache and answers the owning gateway.
 */
@Injectable()
export class TranslateJobHandler {
  private readonly translator: CachedTranslator;

  constructor(
    @Inject(MT_ENGINE) private readonly engine: MtEngine,
    @Inject(TRANSLATION_CACHE) cache: TranslationCache,
    @Inject(QUEUE_REDIS) queueRedis: Redis,
    @Inject(REPLY_PUBLISHER) private readonly replies: ReplyPublisher,
    private readonly config: ConfigService,
    private readonly metrics: Metrics,
    private readonly identity: WorkerIdentity,
    @InjectPinoLogger(TranslateJobHandler.name) private readonly logger: PinoLogger,
    @Inject(CACHE_EVENT_SINK) private readonly cacheEvents: CacheEventSink,
  ) {
    const { translate } = config.current;
    const queue = translateQueueName();
    const rows = metrics.get('translateRowsTotal');
    const deduped = metrics.get('translateDedupedTotal');
    const batcher = new TranslationBatcher(engine, {
      maxBatchSize: translate.batchMaxSize,
      maxWaitMs: translate.batchMaxWaitMs,
      concurrency: translate.concurrency,
      batchBy: translate.batchBy,
      onModelRun: (n) => {
        rows.inc(n);
        this.metrics.batchSize.observe({ queue }, n);
      },
    });
    this.translator = new CachedTranslator(
      cache,
      new RedisMissLock(queueRedis),
      new TextTranslator(batcher, { splitSentences: translate.splitSentences }),
      () => this.config.current.cache,
      identity.id,
      () => deduped.inc(),
    );
  }

  /** BullMQ jobs one process takes at once: enough to fill every batch that may run. */
  static jobConcurrency(translate: { concurrency: number; batchMaxSize: number }): number {
    return translate.concurrency * translate.batchMaxSize;
  }

  readonly handle = async (job: QueueJob<TranslateJobData>): Promise<void> => {
    const d = job.data;
    const cfg = this.config.current;
    const queueName = translateQueueName();
    const queueMs = Date.now() - d.enqueuedAt;
    this.metrics.jobDuration.observe({ queue: queueName, stage: 'queue_wait' }, queueMs / 1000);
    const base = this.replyBase(d, queueMs);
    try {
      const started = performance.now();
      const result = await this.translator.translate({
        text: d.text,
        source: d.source,
        target: d.target,
        cacheKey: d.cacheKey,
        glossary: d.glossary,
      });
      const inferMs = result.fromCache ? 0 : performance.now() - started;
      if (!result.fromCache) {
        this.metrics.jobDuration.observe({ queue: queueName, stage: 'inference' }, inferMs / 1000);
      }
      if (result.stored) this.reportWrite(d);
      // A warming job only fills the cache: nobody waits for its reply.
      if (!d.warming)
        await this.replies.publish(d.reply.gatewayId, {
          ...base,
          ok: true,
          text: result.text,
          fromCache: result.fromCache,
          inferMs,
        });
      this.metrics.jobsTotal.inc({ queue: queueName, outcome: 'ok' });
    } catch (err) {
      await settleFailedJob({
        err,
        attemptsMade: job.attemptsMade,
        attempts: cfg.queue.attempts,
        queueName,
        metrics: this.metrics,
        logger: this.logger.logger,
        context: { jobId: job.id, sessionId: d.reply.sessionId, tenantId: d.tenantId },
        what: 'translate job',
        answerFailure: () =>
          this.replies.publish(d.reply.gatewayId, failedTranslateReply(base, (err as Error).message)),
      });
    }
  };

  /** The queue gave up on this job after stalls (its workers died mid-job): the gateway gets ok=false now. */
  readonly abandoned = async (job: QueueJob<TranslateJobData>, reason: string): Promise<void> => {
    const d = job.data;
    if (d.warming) return; // nobody waits for a warming job
    const base = this.replyBase(d, Date.now() - d.enqueuedAt);
    await this.replies.publish(
      d.reply.gatewayId,
      failedTranslateReply(base, `the translate job was given up after its workers stopped (${reason})`),
    );
  };

  private replyBase(
    d: TranslateJobData,
    queueMs: number,
  ): Omit<TranslateReply, 'ok' | 'text' | 'fromCache' | 'inferMs'> {
    return {
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
  }

  /** A write event for apps/cache's stats, on the gateways' lookup stream. Fire-and-forget. */
  private reportWrite(d: TranslateJobData): void {
    this.cacheEvents.emit({
      v: 1,
      kind: 'write',
      key: d.cacheKey,
      tenant: d.tenantId,
      stream: d.reply.sessionId,
      src: d.source,
      dst: d.target,
      model: this.config.current.translate.model,
      text: normaliseForCache(d.text),
      // Tenant-scoped keys carry `t.{tenant}` (translationCacheKey).
      tenantScoped: d.cacheKey.includes(`:t.${d.tenantId}:`),
      atMs: Date.now(),
      warming: d.warming === true,
    });
  }
}

function failedTranslateReply(
  base: Omit<TranslateReply, 'ok' | 'text' | 'fromCache' | 'inferMs'>,
  error: string,
): TranslateReply {
  return { ...base, ok: false, error, text: '', fromCache: false, inferMs: 0 };
}
