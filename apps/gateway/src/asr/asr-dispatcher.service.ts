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
import { GatewayIdentity } from '../infra/gateway-identity';
import { ReplyRouter } from '../results/reply-router.service';
import type { StreamPriority } from '../session/session-settings';

export interface TranscribeRequest {
  sessionId: string;
  tenantId: string;
  plan: 'free' | 'pro' | 'enterprise';
  priority: StreamPriority;
  segmentId: string;
  revision: number;
  isFinal: boolean;
  audio: Float32Array;
  startMs: number;
  endMs: number;
  language?: string;
  prompt?: string;
}

/** Sends one segment's audio to the ASR workers of this deployment's tier and awaits the transcript. */
@Injectable()
export class AsrDispatcher {
  constructor(
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(SEGMENT_STORE) private readonly store: SegmentStore,
    private readonly router: ReplyRouter,
    private readonly identity: GatewayIdentity,
    private readonly config: ConfigService,
  ) {}

  async transcribe(req: TranscribeRequest): Promise<AsrReply> {
    const cfg = this.config.current;
    const requestId = randomUUID();
    const audioKey = segmentAudioKey(req.segmentId, req.revision);
    await this.store.put(audioKey, req.audio, cfg.queue.segmentTtlS);
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
      enqueuedAt: Date.now(),
    };
    const reply = this.router.expect(requestId, cfg.queue.resultTimeoutMs);
    try {
      await this.queue.add(asrQueueName(cfg.asr.tier), JOB_NAMES.transcribe, data, {
        priority: jobPriority({ plan: req.plan, priority: req.priority, isFinal: req.isFinal }),
        jobId: requestId,
      });
    } catch (err) {
      this.router.cancel(requestId);
      throw new AppError('UNAVAILABLE', `could not enqueue the segment: ${(err as Error).message}`);
    }
    const result = await reply;
    if (result.kind !== 'asr')
      throw new AppError('INTERNAL', `unexpected ${result.kind} reply to an ASR job`);
    return result;
  }
}
