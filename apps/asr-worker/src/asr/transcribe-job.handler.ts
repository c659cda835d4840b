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
  settleFailedJob,
} from '@olt/shared';
import { BatchedTranscriber } from './batched-transcriber';
import { type HallucinationGuardSettings, judgeTranscript } from './hallucination-guard';

/**
 * Runs one ASR job: fetch the segment audio by reference, transcribe it in a micro-batch with the other
 * jobs running at the same time (BatchedTranscriber), drop likely hallucinations, post the result on the
 * owning gateway's reply stream. Retryable failures throw (BullMQ retries, possibly on another worker); the
 * last attempt and non-retryable errors answer with ok=false so the client is told instead of waiting.
 */
@Injectable()
export class TranscribeJobHandler {
  private readonly transcriber: BatchedTranscriber;
  private readonly dropped: Metrics['asrHallucinationsDropped'];

  constructor(
    @Inject(ASR_ENGINE) private readonly engine: AsrEngine,
    @Inject(SEGMENT_STORE) private readonly store: SegmentStore,
    @Inject(REPLY_PUBLISHER) private readonly replies: ReplyPublisher,
    private readonly config: ConfigService,
    private readonly metrics: Metrics,
    private readonly identity: WorkerIdentity,
    @InjectPinoLogger(TranscribeJobHandler.name) private readonly logger: PinoLogger,
  ) {
    const asr = config.current.asr;
    const queueName = asrQueueName(asr.tier);
    this.transcriber = new BatchedTranscriber(engine, {
      maxBatchSize: asr.batchMaxSize,
      maxWaitMs: asr.batchMaxWaitMs,
      concurrency: asr.concurrency,
      onBatch: (size) => metrics.batchSize.observe({ queue: queueName }, size),
    });
    this.dropped = metrics.asrHallucinationsDropped;
  }

  /** Jobs the queue worker should run at once so that full batches can form. */
  static jobConcurrency(asr: { batchMaxSize: number; concurrency: number }): number {
    return asr.batchMaxSize * asr.concurrency;
  }

  readonly handle = async (job: QueueJob<AsrJobData>): Promise<void> => {
    const d = job.data;
    const queueName = asrQueueName(this.config.current.asr.tier);
    const queueMs = Date.now() - d.enqueuedAt;
    this.metrics.jobDuration.observe({ queue: queueName, stage: 'queue_wait' }, queueMs / 1000);
    const base = this.replyBase(d, queueMs);
    const faultDelay = this.config.current.faults.asrJobDelayMs;
    if (faultDelay > 0) await new Promise((r) => setTimeout(r, faultDelay));
    try {
      const audio = await this.store.get(d.audioKey);
      if (!audio)
        throw new AppError(
          'FAILED_PRECONDITION',
          `segment audio ${d.audioKey} expired before it was transcribed`,
        );
      const { result, batchSize, inferMs } = await this.transcriber.transcribe({
        audio,
        language: d.language,
        prompt: d.prompt,
        timestamps: d.timestamps,
        // Every decode of one segment (its interims, then its final) carries the audio from its start.
        featureKey: `${d.tenantId}/${d.reply.gatewayId}/${d.reply.sessionId}/${d.segmentId}`,
      });
      this.metrics.jobDuration.observe({ queue: queueName, stage: 'inference' }, inferMs / 1000);
      const dropped = judgeTranscript(result, d.vadSpeechRatio, guardSettings(this.config.current.asr));
      if (dropped) {
        this.dropped.inc({ reason: dropped });
        this.logger.debug(
          { sessionId: d.reply.sessionId, tenantId: d.tenantId, segmentId: d.segmentId, reason: dropped },
          'ASR text dropped as a likely hallucination',
        );
      }
      await this.replies.publish(d.reply.gatewayId, {
        ...base,
        ok: true,
        text: dropped ? '' : result.text,
        language: result.language,
        languageProbability: result.languageProbability,
        confidence: result.confidence,
        inferMs,
        batchSize,
        noSpeechProbability: result.noSpeechProbability,
        ...(dropped ? { dropped } : {}),
        ...(result.segments
          ? {
              segments: dropped
                ? []
                : result.segments.map((s) => ({
                    text: s.text,
                    startMs: d.startMs + s.startMs,
                    endMs: d.startMs + s.endMs,
                  })),
            }
          : {}),
      });
      this.metrics.jobsTotal.inc({ queue: queueName, outcome: 'ok' });
      if (d.isFinal) await this.store.delete(d.audioKey).catch(() => undefined);
    } catch (err) {
      await settleFailedJob({
        err,
        attemptsMade: job.attemptsMade,
        attempts: this.config.current.queue.attempts,
        queueName,
        metrics: this.metrics,
        logger: this.logger.logger,
        context: { jobId: job.id, sessionId: d.reply.sessionId, tenantId: d.tenantId },
        what: 'ASR job',
        answerFailure: () =>
          this.replies.publish(d.reply.gatewayId, failedAsrReply(base, d.language, (err as Error).message)),
      });
    }
  };

  /** The queue gave up on this job after stalls (its workers died mid-job): the gateway gets ok=false now. */
  readonly abandoned = async (job: QueueJob<AsrJobData>, reason: string): Promise<void> => {
    const d = job.data;
    const base = this.replyBase(d, Date.now() - d.enqueuedAt);
    await this.replies.publish(
      d.reply.gatewayId,
      failedAsrReply(base, d.language, `the ASR job was given up after its workers stopped (${reason})`),
    );
    if (d.isFinal) await this.store.delete(d.audioKey).catch(() => undefined);
  };

  private replyBase(
    d: AsrJobData,
    queueMs: number,
  ): Omit<AsrReply, 'ok' | 'text' | 'language' | 'languageProbability' | 'confidence' | 'inferMs'> {
    return {
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
  }
}

function failedAsrReply(
  base: Omit<AsrReply, 'ok' | 'text' | 'language' | 'languageProbability' | 'confidence' | 'inferMs'>,
  language: string | undefined,
  error: string,
): AsrReply {
  return {
    ...base,
    ok: false,
    error,
    text: '',
    language: language ?? '',
    languageProbability: 0,
    confidence: 0,
    inferMs: 0,
  };
}

function guardSettings(asr: {
  noSpeechThreshold: number;
  logprobThreshold: number;
  vadAgreementMin: number;
  compressionRatioThreshold: number;
  maxNgramRepeats: number;
}): HallucinationGuardSettings {
  return {
    noSpeechThreshold: asr.noSpeechThreshold,
    logprobThreshold: asr.logprobThreshold,
    vadAgreementMin: asr.vadAgreementMin,
    compressionRatioThreshold: asr.compressionRatioThreshold,
    maxNgramRepeats: asr.maxNgramRepeats,
  };
}
