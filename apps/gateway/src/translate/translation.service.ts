import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  AppError,
  ConfigService,
  JOB_NAMES,
  JOB_QUEUE,
  Metrics,
  TRANSLATION_CACHE,
  jobPriority,
  translateQueueName,
  translationCacheKey,
  type JobQueue,
  type TranslateJobData,
  type TranslationCache,
} from '@olt/shared';
import { GatewayIdentity } from '../infra/gateway-identity';
import { ReplyRouter } from '../results/reply-router.service';
import type { StreamPriority } from '../session/session-settings';

export interface TranslateRequest {
  text: string;
  /** FLORES-200 codes. */
  source: string;
  target: string;
  sessionId: string;
  tenantId: string;
  plan: 'free' | 'pro' | 'enterprise';
  priority: StreamPriority;
  segmentId: string;
  revision: number;
  isFinal: boolean;
}

export interface TranslateOutcome {
  text: string;
  fromCache: boolean;
}

/** Cache first, then a translate job; used by streams and by the TranslateText RPC alike. */
@Injectable()
export class TranslationService {
  constructor(
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(TRANSLATION_CACHE) private readonly cache: TranslationCache,
    private readonly router: ReplyRouter,
    private readonly identity: GatewayIdentity,
    private readonly config: ConfigService,
    private readonly metrics: Metrics,
  ) {}

  async translate(req: TranslateRequest): Promise<TranslateOutcome> {
    if (req.source === req.target || req.text.trim() === '') {
      // Never run the model to translate a language into itself.
      return { text: req.text.trim(), fromCache: false };
    }
    const cfg = this.config.current;
    const cacheKey = translationCacheKey(req.source, req.target, cfg.translate.model, req.text);
    if (cfg.cache.enabled) {
      const cached = await this.cache.get(cacheKey).catch(() => undefined);
      this.metrics.translateCacheLookups.inc({ result: cached === undefined ? 'miss' : 'hit' });
      if (cached !== undefined) return { text: cached, fromCache: true };
    }
    const requestId = randomUUID();
    const data: TranslateJobData = {
      v: 1,
      reply: { gatewayId: this.identity.id, sessionId: req.sessionId, requestId },
      tenantId: req.tenantId,
      segmentId: req.segmentId,
      revision: req.revision,
      isFinal: req.isFinal,
      text: req.text,
      source: req.source,
      target: req.target,
      cacheKey,
      enqueuedAt: Date.now(),
    };
    const reply = this.router.expect(requestId, cfg.queue.resultTimeoutMs);
    try {
      await this.queue.add(translateQueueName(), JOB_NAMES.translate, data, {
        priority: jobPriority({ plan: req.plan, priority: req.priority, isFinal: req.isFinal }),
        jobId: requestId,
      });
    } catch (err) {
      this.router.cancel(requestId);
      throw new AppError('UNAVAILABLE', `could not enqueue the translation: ${(err as Error).message}`);
    }
    const result = await reply;
    if (result.kind !== 'translate')
      throw new AppError('INTERNAL', `unexpected ${result.kind} reply to a translate job`);
    if (!result.ok)
      throw new AppError(
        'INTERNAL',
        `translation to ${req.target} failed: ${result.error ?? 'unknown error'}`,
      );
    return { text: result.text, fromCache: result.fromCache };
  }
}
