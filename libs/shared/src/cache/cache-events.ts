import type { RedisClient } from '../redis/redis-connection';

/**
 * Contract of the cache event stream (on the cache Redis): what gateways report about each lookup so that
 * apps/cache can count hits, learn phrase sequences and warm, without being in the lookup's way. A breaking
 * change gets a new version in the stream name (v2 beside v1 during a rollout).
 */
export const CACHE_EVENTS_STREAM_V1 = 'olt:v1:cache-events';

export interface CacheEventV1 {
  v: 1;
  /**
   * hit / miss: a gateway's lookup; write: a translate worker stored a model result. Readers skip kinds
   * they don't know (decodeCacheEvent), so a new kind is added in v1 without breaking older readers.
   */
  kind: 'hit' | 'miss' | 'write';
  /** The full cache key (tr:v1:…). */
  key: string;
  tenant: string;
  stream: string;
  src: string;
  dst: string;
  model: string;
  /** Normalised source text: what a warming job translates. */
  text: string;
  /** Entries shaped by a glossary (or kept per tenant) are never warmed for anyone but their tenant. */
  tenantScoped: boolean;
  atMs: number;
  /** Writes only: the job was a warming job (apps/cache), not one a viewer waits for. */
  warming?: boolean;
}

const FIELDS = [
  'v',
  'kind',
  'key',
  'tenant',
  'stream',
  'src',
  'dst',
  'model',
  'text',
  'scoped',
  'at',
  'warm',
] as const;

export function encodeCacheEvent(e: CacheEventV1): string[] {
  const values = [
    '1', e.kind, e.key, e.tenant, e.stream, e.src, e.dst, e.model, e.text, e.tenantScoped ? '1' : '0',
    String(e.atMs), e.warming ? '1' : '0',
  ]; // prettier-ignore
  return FIELDS.flatMap((f, i) => [f, values[i]]);
}

/** Undefined for anything that is not a well-formed v1 event (a reader skips it, never crashes). */
export function decodeCacheEvent(fields: readonly string[]): CacheEventV1 | undefined {
  const m = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) m.set(fields[i], fields[i + 1]);
  const kind = m.get('kind');
  if (m.get('v') !== '1' || (kind !== 'hit' && kind !== 'miss' && kind !== 'write')) return undefined;
  const get = (f: string) => m.get(f) ?? '';
  if (!get('key') || !get('dst')) return undefined;
  return {
    v: 1,
    kind,
    key: get('key'),
    tenant: get('tenant'),
    stream: get('stream'),
    src: get('src'),
    dst: get('dst'),
    model: get('model'),
    text: get('text'),
    tenantScoped: get('scoped') === '1',
    atMs: Number(get('at')) || 0,
    ...(kind === 'write' ? { warming: get('warm') === '1' } : {}),
  };
}

/** Port: where producers report lookups and writes. Never awaited on their path; failures are only counted. */
export interface CacheEventSink {
  emit(event: CacheEventV1): void;
}

export const CACHE_EVENT_SINK = Symbol('CacheEventSink');

/**
 * XADD with MAXLEN ~ on the cache Redis, fire-and-forget: one extra command per lookup, pipelined by
 * ioredis with whatever else is in flight, and the stream stays bounded (approximate trimming is O(1)).
 */
export class RedisCacheEventSink implements CacheEventSink {
  constructor(
    private readonly redis: RedisClient,
    private readonly maxLen: number,
    private readonly onError: (err: Error) => void = () => undefined,
  ) {}

  emit(event: CacheEventV1): void {
    this.redis
      .xadd(CACHE_EVENTS_STREAM_V1, 'MAXLEN', '~', this.maxLen, '*', ...encodeCacheEvent(event))
      .catch((err: Error) => this.onError(err));
  }
}

export class NoCacheEvents implements CacheEventSink {
  emit(): void {}
}
