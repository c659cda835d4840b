import { createHash } from 'node:crypto';
import type { RedisClient } from '../redis/redis-connection';

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
 * Cache-key normalisation: Unicode NFC, trimmed, runs of whitespace (any kind: tabs, newlines, NBSP)
 * collapsed to one space. The trade-off: more hits for text that differs only in invisible ways (ASR output
 * and pasted text often do), at no risk, because the model sees the same tokens either way (NLLB's
 * tokenizer normalises whitespace too). Case and punctuation are kept: "US" / "us" and "Fine." / "Fine?"
 * translate differently, and a wrong cached translation is worse than a miss. Lower-casing would raise the
 * hit rate of chatty live transcripts a little but serve e.g. a brand name in the wrong case for days.
 */
export function normaliseForCache(text: string): string {
  return text.normalize('NFC').trim().replace(/\s+/gu, ' ');
}

/**
 * `tr:v1:{src}:{dst}:{model}:{sha256(normalised text)}` — the model id keeps a model change from serving
 * stale text. `variant` (e.g. a digest of the glossary that shaped the translation) is hashed in with the
 * text, so the same text under another glossary is another entry; without one the key is unchanged.
 * `tenantId` scopes the entry to one tenant (`…:{model}:t.{tenant}:{sha256}`), so it can never answer
 * another tenant and a tenant's entries can be found and invalidated by prefix.
 */
export function translationCacheKey(
  source: string,
  target: string,
  model: string,
  text: string,
  variant = '',
  tenantId = '',
): string {
  const hash = createHash('sha256').update(normaliseForCache(text));
  if (variant) hash.update(`\u0000${variant}`);
  const scope = tenantId ? `t.${tenantId}:` : '';
  return `tr:v1:${source}:${target}:${model}:${scope}${hash.digest('hex')}`;
}

/** A stable digest of glossary terms (order and duplicates don't matter); "" for none. */
export function glossaryDigest(terms: ReadonlyArray<{ source: string; target: string }>): string {
  if (terms.length === 0) return '';
  const lines = [...new Set(terms.map((t) => `${t.source.trim().toLowerCase()}\u0000${t.target}`))].sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16);
}

export class RedisTranslationCache implements TranslationCache {
  constructor(private readonly redis: RedisClient) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(key)) ?? undefined;
  }

  async set(key: string, text: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(key, text, 'EX', ttlSeconds);
  }
}
