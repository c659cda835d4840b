import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  AppError,
  CACHE_EVENT_SINK,
  ConfigService,
  JOB_NAMES,
  JOB_QUEUE,
  Metrics,
  TRANSLATION_CACHE,
  glossaryDigest,
  jobPriority,
  translateQueueName,
  normaliseForCache,
  translationCacheKey,
  type CacheEventSink,
  type GlossaryTerm,
  type JobQueue,
  type TranslateJobData,
  type TranslationCache,
} from '@olt/shared';
import { GatewayIdentity } from '../infra/gateway-identity';
import { QueueBreaker } from '../infra/queue-breaker';
import { ReplyRouter } from '../results/reply-router.service';
import type { StreamPriority } from '../session/session-settings';
import { maskProfanity } from './profanity-mask';

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
  /** Stream or request glossary; the tenant's glossary from the configuration is added to it. */
  glossary?: readonly GlossaryTerm[];
  /** Mask profanity in the translation; undefined = the tenant's `mask_profanity` setting. */
  maskProfanity?: boolean;
}

export interface TranslateOutcome {
  text: string;
  fromCache: boolean;
}

/**
 * Cache first, then a translate job; used by streams and by the TranslateText RPC alike. Identical
 * concurrent misses (same text, pair, model and glossary) on this gateway share one job; the workers' miss
 * lock does the same across gateways. Profanity masking applies to the result, after the cache, so one
 * cached translation serves masked and unmasked streams.
 */
@Injectable()
export class TranslationService {
  private readonly inFlight = new Map<string, Promise<TranslateOutcome>>();

  constructor(
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(TRANSLATION_CACHE) private readonly cache: TranslationCache,
    private readonly router: ReplyRouter,
    private readonly identity: GatewayIdentity,
    private readonly config: ConfigService,
    private readonly metrics: Metrics,
    @Inject(CACHE_EVENT_SINK) private readonly events: CacheEventSink,
    private readonly queueBreaker: QueueBreaker,
  ) {}

  async translate(req: TranslateRequest): Promise<TranslateOutcome> {
    const outcome = await this.translateUnmasked(req);
    const tenant = this.config.current.tenants.find((t) => t.id === req.tenantId);
    const mask = req.maskProfanity ?? tenant?.maskProfanity ?? false;
    return mask ? { ...outcome, text: maskProfanity(outcome.text, req.target) } : outcome;
  }

  private async translateUnmasked(req: TranslateRequest): Promise<TranslateOutcome> {
    if (req.source === req.target || req.text.trim() === '') {
      // Never run the model to translate a language into itself.
      return { text: req.text.trim(), fromCache: false };
    }
    const cfg = this.config.current;
    const glossary = this.glossaryFor(req);
    // A glossary-shaped entry answers only its own tenant; plain entries follow cache.share_across_tenants.
    const tenantScoped = glossary.length > 0 || !cfg.cache.shareAcrossTenants;
    const cacheKey = translationCacheKey(
      req.source,
      req.target,
      cfg.translate.model,
      req.text,
      glossaryDigest(glossary),
      tenantScoped ? req.tenantId : '',
    );
    if (cfg.cache.enabled) {
      const cached = await this.cache.get(cacheKey).catch(() => undefined);
      this.metrics.translateCacheLookups.inc({ result: cached === undefined ? 'miss' : 'hit' });
      // Finals only: interim text changes every second and would teach the warming chain noise. Not awaited.
      if (req.isFinal)
        this.events.emit({
          v: 1,
          kind: cached === undefined ? 'miss' : 'hit',
          key: cacheKey,
          tenant: req.tenantId,
          stream: req.sessionId,
          src: req.source,
          dst: req.target,
          model: cfg.translate.model,
          text: normaliseForCache(req.text),
          tenantScoped,
          atMs: Date.now(),
        });
      if (cached !== undefined) return { text: cached, fromCache: true };
    }
    const running = this.inFlight.get(cacheKey);
    if (running) return running;
    const job = this.enqueue(req, cacheKey, glossary).finally(() => this.inFlight.delete(cacheKey));
    this.inFlight.set(cacheKey, job);
    return job;
  }

  /** The request's terms, then the tenant's (a request term wins over a tenant term for the same word). */
  private glossaryFor(req: TranslateRequest): GlossaryTerm[] {
    const tenant = this.config.current.tenants.find((t) => t.id === req.tenantId);
    const seen = new Set<string>();
    const out: GlossaryTerm[] = [];
    for (const t of [...(req.glossary ?? []), ...(tenant?.glossary ?? [])]) {
      const key = t.source.trim().toLowerCase();
      if (!key || seen.has(key)) continue;
      seen.add(key);
      out.push({ source: t.source.trim(), target: t.target ?? '' });
    }
    return out;
  }

  private async enqueue(
    req: TranslateRequest,
    cacheKey: string,
    glossary: GlossaryTerm[],
  ): Promise<TranslateOutcome> {
    const cfg = this.config.current;
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
      ...(glossary.length ? { glossary } : {}),
    };
    const result = await this.router.exchange({
      requestId,
      kind: 'translate',
      timeoutMs: cfg.queue.resultTimeoutMs,
      what: 'the translation',
      enqueue: () =>
        this.queueBreaker.run(() =>
          this.queue.add(translateQueueName(), JOB_NAMES.translate, data, {
            priority: jobPriority({ plan: req.plan, priority: req.priority, isFinal: req.isFinal }),
            jobId: requestId,
          }),
        ),
      lost: {
        checkEveryMs: cfg.queue.lostJobCheckMs,
        exists: () => this.queueBreaker.run(() => this.queue.has(translateQueueName(), requestId)),
      },
    });
    if (!result.ok)
      throw new AppError(
        'INTERNAL',
        `translation to ${req.target} failed: ${result.error ?? 'unknown error'}`,
      );
    return { text: result.text, fromCache: result.fromCache };
  }
}
