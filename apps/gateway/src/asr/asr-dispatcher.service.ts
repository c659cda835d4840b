import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  AppError,
  ConfigService,
  JOB_NAMES,
  JOB_QUEUE,
  SEGMENT_STORE,
  asrQueueName,
  jobPriority,
  segmentAudioKey,
  type AsrJobData,
  type AsrReply,
  type JobQueue,
  type SegmentStore,
} from '@olt/shared';
import { AsrTierRouter } from './asr-tier-router';
import { GatewayIdentity } from '../infra/gateway-identity';
import { QueueBreaker } from '../infra/queue-breaker';
import { ReplyRouter } from '../results/reply-router.service';
import type { AsrTranscriber, TranscribeRequest } from './asr-transcriber.port';

/**
 * Sends one segment's audio to the ASR tier the router picks for the stream's plan and awaits the transcript.
 * Interim decodes are ranked below finals (jobPriority) and their audio is deleted once answered: the
 * worker deletes a final's audio itself, but a stream makes about one interim copy of its open segment
 * per second, which must not wait out the segment TTL in the queue Redis.
 */
@Injectable()
export class AsrDispatcher implements AsrTranscriber {
  constructor(
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(SEGMENT_STORE) private readonly store: SegmentStore,
    private readonly tiers: AsrTierRouter,
    private readonly router: ReplyRouter,
    private readonly identity: GatewayIdentity,
    private readonly config: ConfigService,
    private readonly queueBreaker: QueueBreaker,
  ) {}

  async transcribe(req: TranscribeRequest): Promise<AsrReply> {
    const cfg = this.config.current;
    const requestId = randomUUID();
    const audioKey = segmentAudioKey(req.tenantId, requestId);
    // Under a deadline: during a queue-Redis outage the segment fails with UNAVAILABLE, it does not hang.
    const storeAudio = () =>
      this.queueBreaker.run(() => this.store.put(audioKey, req.audio, cfg.queue.segmentTtlS));
    await storeAudio();
    const data: AsrJobData = {
      v: 1,
      reply: { gatewayId: this.identity.id, sessionId: req.sessionId, requestId },
      tenantId: req.tenantId,
      segmentId: req.segmentId,
      revision: req.revision,
      isFinal: req.isFinal,
      audioKey,
      sampleCount: req.audio.length,
      startMs: req.startMs,
      endMs: req.endMs,
      language: req.language,
      prompt: req.prompt,
      vadSpeechRatio: req.vadSpeechRatio,
      enqueuedAt: Date.now(),
    };
    // A stale capacity view is refreshed from the queue Redis: under the same deadline as every request-path call.
    const { tier } = await this.queueBreaker.run(() => this.tiers.route(req.plan));
    const queueName = asrQueueName(tier);
    const addJob = () =>
      this.queueBreaker.run(() =>
        this.queue.add(queueName, JOB_NAMES.transcribe, data, {
          priority: jobPriority({ plan: req.plan, priority: req.priority, isFinal: req.isFinal }),
          jobId: requestId,
        }),
      );
    let enqueued = false;
    try {
      const reply = await this.router.exchange({
        requestId,
        kind: 'asr',
        timeoutMs: cfg.queue.resultTimeoutMs,
        what: 'the segment',
        // A resend of a lost job stores the audio again first: it was lost with the job.
        enqueue: async () => {
          if (enqueued) await storeAudio();
          enqueued = true;
          return addJob();
        },
        lost: {
          checkEveryMs: cfg.queue.lostJobCheckMs,
          exists: () => this.queueBreaker.run(() => this.queue.has(queueName, requestId)),
        },
      });
      if (reply.ok) this.tiers.observe(tier, reply.inferMs);
      return reply;
    } catch (err) {
      // The job was never queued: nobody will read its audio.
      if (err instanceof AppError && err.code === 'UNAVAILABLE')
        void this.store.delete(audioKey).catch(() => undefined);
      throw err;
    } finally {
      // An answered interim's audio is not needed again (a final's is deleted by the worker).
      if (!req.isFinal) void this.store.delete(audioKey).catch(() => undefined);
    }
  }
}
