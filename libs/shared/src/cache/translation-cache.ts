import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Port: the translation cache (a separate Redis with allkeys-lfu, so popular phrases stay and rare ones
 * are evicted). GET bumps LFU frequency; that is the point of reading through it.
 */
export interface TranslationCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, text: string, ttlSeconds: number): Promise<void>;
}

export const TRANSLATION_CACHE = Symbol('TranslationCache');

/**
 * Cache-key normalisation: Unicode NFC, trimmed, runs of whitespace collapsed. Case is kept: "US" and
 * "us" can translate differently, and a wrong cached translation is worse than a miss.
 */
export function normaliseForCache(text: string): string {
  return text.normalize('NFC').trim().replace(/\s+/gu, ' ');
}

/** `tr:v1:{src}:{dst}:{model}:{sha256(normalised text)}` — the model id keeps a model change from serving stale text. */
export function translationCacheKey(source: string, target: string, model: string, text: string): string {
  const digest = createHash('sha256').update(normaliseForCache(text)).digest('hex');
  return `tr:v1:${source}:${target}:${model}:${digest}`;
}

export class RedisTranslationCache implements TranslationCache {
  constructor(private readonly redis: Redis) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(key)) ?? undefined;
  }

  async set(key: string, text: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(key, text, 'EX', ttlSeconds);
  }
}
