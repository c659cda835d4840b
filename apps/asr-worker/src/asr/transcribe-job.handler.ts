import { Inject, Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import {
  AppError,
  ASR_ENGINE,
  ConfigService,
  Metrics,
  REPLY_PUBLISHER,
  SEGMENT_STORE,
  asrQueueName,
  type AsrEngine,
  type AsrJobData,
  type AsrReply,
  type QueueJob,
  type ReplyPublisher,
  type SegmentStore,
  WorkerIdentity,
} from '@olt/shared';

/**
 * Runs one ASR job: fetch the segment audio by reference, transcribe, post the result on the owning
 * gateway's reply stream. Retryable failures throw (BullMQ retries, possibly on another worker); the last
 * attempt and non-retryable errors answer with ok=false so the client is told instead of waiting.
 */
@Injectable()
export class TranscribeJobHandler {
  constructor(
    @Inject(ASR_ENGINE) private readonly engine: AsrEngine,
    @Inject(SEGMENT_STORE) private readonly store: SegmentStore,
    @Inject(REPLY_PUBLISHER) private readonly replies: ReplyPublisher,
    private readonly config: ConfigService,
    private readonly metrics: Metrics,
    private readonly identity: WorkerIdentity,
    @InjectPinoLogger(TranscribeJobHandler.name) private readonly logger: PinoLogger,
  ) {}

  readonly handle = async (job: QueueJob<AsrJobData>): Promise<void> => {
    const d = job.data;
    const queueName = asrQueueName(this.config.current.asr.tier);
    const queueMs = Date.now() - d.enqueuedAt;
    this.metrics.jobDuration.observe({ queue: queueName, stage: 'queue_wait' }, queueMs / 1000);
    const base: Omit<
      AsrReply,
      'ok' | 'text' | 'language' | 'languageProbability' | 'confidence' | 'inferMs'
    > = {
      kind: 'asr',
      requestId: d.reply.requestId,
      sessionId: d.reply.sessionId,
      segmentId: d.segmentId,
      revision: d.revision,
      isFinal: d.isFinal,
      model: this.engine.info.id,
      workerId: this.identity.id,
      startMs: d.startMs,
      endMs: d.endMs,
      queueMs,
    };
    const faultDelay = this.config.current.faults.asrJobDelayMs;
    if (faultDelay > 0) await new Promise((r) => setTimeout(r, faultDelay));
    try {
      const audio = await this.store.get(d.audioKey);
      if (!audio)
        throw new AppError(
          'FAILED_PRECONDITION',
          `segment audio ${d.audioKey} expired before it was transcribed`,
        );
      const started = performance.now();
      const [result] = await this.engine.transcribe([{ audio, language: d.language, prompt: d.prompt }]);
      const inferMs = performance.now() - started;
      this.metrics.jobDuration.observe({ queue: queueName, stage: 'inference' }, inferMs / 1000);
      this.metrics.batchSize.observe({ queue: queueName }, 1);
      await this.replies.publish(d.reply.gatewayId, {
        ...base,
        ok: true,
        text: result.text,
        language: result.language,
        languageProbability: result.languageProbability,
        confidence: result.confidence,
        inferMs,
      });
      this.metrics.jobsTotal.inc({ queue: queueName, outcome: 'ok' });
      if (d.isFinal) await this.store.delete(d.audioKey).catch(() => undefined);
    } catch (err) {
      const attempts = this.config.current.queue.attempts;
      const retryable = !(err instanceof AppError) && job.attemptsMade + 1 < attempts;
      this.logger.warn(
        { err, jobId: job.id, sessionId: d.reply.sessionId, tenantId: d.tenantId, retryable },
        'ASR job failed',
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
        language: d.language ?? '',
        languageProbability: 0,
        confidence: 0,
        inferMs: 0,
      });
    }
  };
}
