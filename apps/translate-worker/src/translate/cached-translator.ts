import type { CacheConfig, GlossaryTerm, TranslationCache } from '@olt/shared';
import type { MissLock } from './miss-lock';
import type { TextTranslator } from './text-translator';

export interface CachedTranslation {
  text: string;
  fromCache: boolean;
  /** 1 for cached text (it was confident enough to keep, or it is what the model said before). */
  confidence: number;
  /** This call put the model's result in the cache (false on a hit, with the cache off, or when SET failed). */
  stored: boolean;
}

export interface CachedTranslateRequest {
  text: string;
  source: string;
  target: string;
  cacheKey: string;
  glossary?: readonly GlossaryTerm[];
}

/** How often a waiting worker looks whether the lock holder has written the translation. */
const WAIT_POLL_MS = 20;

/**
 * Cache → lock → model → cache, for one translate job. Identical misses arriving at several workers at
 * once: the first takes the key's lock and translates; the others wait for its cache write (bounded by the
 * lock's TTL) and answer from the cache, so the model runs once. A cache outage degrades to translating.
 */
export class CachedTranslator {
  constructor(
    private readonly cache: TranslationCache,
    private readonly lock: MissLock,
    private readonly translator: TextTranslator,
    private readonly config: () => CacheConfig,
    private readonly owner: string,
    private readonly onDeduped: () => void = () => undefined,
  ) {}

  async translate(req: CachedTranslateRequest): Promise<CachedTranslation> {
    const cfg = this.config();
    if (!cfg.enabled) return { ...(await this.translator.translate(req)), fromCache: false, stored: false };
    const cached = await this.cache.get(req.cacheKey).catch(() => undefined);
    if (cached !== undefined) return { text: cached, fromCache: true, confidence: 1, stored: false };

    const locked = await this.lock.acquire(req.cacheKey, this.owner, cfg.missLockMs).catch(() => true);
    if (!locked) {
      const waited = await this.waitForHolder(req.cacheKey, cfg.missLockMs);
      if (waited !== undefined) {
        this.onDeduped();
        return { text: waited, fromCache: true, confidence: 1, stored: false };
      }
      // The holder failed or took too long: translate ourselves rather than fail the job.
    }
    try {
      const result = await this.translator.translate(req);
      const ttl = result.confidence >= cfg.confidentThreshold ? cfg.confidentTtlS : cfg.ttlS;
      // A cache outage must not lose the translation: the caller still gets it.
      const stored = await this.cache.set(req.cacheKey, result.text, ttl).then(
        () => true,
        () => false,
      );
      return { ...result, fromCache: false, stored };
    } finally {
      if (locked) await this.lock.release(req.cacheKey, this.owner).catch(() => undefined);
    }
  }

  private async waitForHolder(cacheKey: string, maxMs: number): Promise<string | undefined> {
    const deadline = Date.now() + maxMs;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
      const text = await this.cache.get(cacheKey).catch(() => undefined);
      if (text !== undefined) return text;
      if (!(await this.lock.held(cacheKey).catch(() => false))) {
        // Released: the holder wrote (read once more) or failed.
        return this.cache.get(cacheKey).catch(() => undefined);
      }
    }
    return undefined;
  }
}
