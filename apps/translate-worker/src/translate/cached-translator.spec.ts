import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { generateTinyNllb, startRedisServer, type RedisServer } from '@olt/devkit';
import {
  loadConfig,
  RedisTranslationCache,
  translationCacheKey,
  type CacheConfig,
  type MtEngine,
  type MtRequest,
  type MtResult,
} from '@olt/shared';
import { CachedTranslator } from './cached-translator';
import { RedisMissLock } from './miss-lock';
import { loadNllbEngine } from './nllb';
import { TranslationBatcher } from './translation-batcher';
import { TextTranslator } from './text-translator';

/** The real engine, counting the rows it decodes. */
class RowCounter implements MtEngine {
  rows = 0;
  constructor(private readonly inner: MtEngine) {}
  get info() {
    return this.inner.info;
  }
  get languages() {
    return this.inner.languages;
  }
  translate(batch: MtRequest[]): Promise<MtResult[]> {
    this.rows += batch.length;
    return this.inner.translate(batch);
  }
  dispose() {
    return Promise.resolve();
  }
}

describe('CachedTranslator with real Redis and the tiny NLLB model', () => {
  let dir: string;
  let nllb: MtEngine;
  let queueServer: RedisServer;
  let cacheServer: RedisServer;
  let queueRedis: Redis;
  let cacheRedis: Redis;
  const base: CacheConfig = loadConfig({ env: {} }).cache;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'olt-cached-tr-'));
    await generateTinyNllb(dir);
    nllb = await loadNllbEngine(dir, { precision: 'fp32', executionProviders: ['cpu'] });
    queueServer = await startRedisServer({ policy: 'noeviction', name: 'q' });
    cacheServer = await startRedisServer({ policy: 'allkeys-lfu', name: 'c' });
    queueRedis = new Redis(queueServer.url);
    cacheRedis = new Redis(cacheServer.url);
  });
  after(async () => {
    queueRedis?.disconnect();
    cacheRedis?.disconnect();
    await Promise.all([queueServer?.stop(), cacheServer?.stop()]);
    await nllb?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  /** One "worker": its own engine counter and batcher, the shared Redis servers. */
  function worker(id: string, engine: RowCounter, cache: Partial<CacheConfig> = {}) {
    let deduped = 0;
    const translator = new CachedTranslator(
      new RedisTranslationCache(cacheRedis),
      new RedisMissLock(queueRedis),
      new TextTranslator(new TranslationBatcher(engine, { maxBatchSize: 8, maxWaitMs: 2, concurrency: 1 }), {
        splitSentences: true,
      }),
      () => ({ ...base, ...cache }),
      id,
      () => deduped++,
    );
    return { translator, deduped: () => deduped };
  }

  it('runs the model once for concurrent identical misses across two workers; the rest read the cache', async () => {
    const engineA = new RowCounter(nllb);
    const engineB = new RowCounter(nllb);
    const a = worker('a', engineA);
    const b = worker('b', engineB);
    const req = {
      text: 'What a play, that was amazing',
      source: 'eng_Latn',
      target: 'spa_Latn',
      cacheKey: translationCacheKey('eng_Latn', 'spa_Latn', 'tiny', 'What a play, that was amazing'),
    };
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).translator.translate(req)),
    );
    assert.equal(engineA.rows + engineB.rows, 1, 'one model row for 8 identical jobs');
    assert.equal(new Set(results.map((r) => r.text)).size, 1);
    assert.equal(results.filter((r) => !r.fromCache).length, 1);
    assert.equal(a.deduped() + b.deduped(), 7);
    assert.equal(await queueRedis.keys('*tr-lock*').then((k) => k.length), 0, 'the lock is released');
  });

  it('says when it stored a model result (what the write event reports): a miss yes, a hit or cache off no', async () => {
    const engine = new RowCounter(nllb);
    const req = {
      text: 'see you next stream',
      source: 'eng_Latn',
      target: 'ita_Latn',
      cacheKey: translationCacheKey('eng_Latn', 'ita_Latn', 'tiny', 'see you next stream'),
    };
    const first = await worker('s1', engine).translator.translate(req);
    assert.deepEqual([first.fromCache, first.stored], [false, true]);
    const again = await worker('s2', engine).translator.translate(req);
    assert.deepEqual([again.fromCache, again.stored], [true, false]);
    const off = await worker('s3', engine, { enabled: false }).translator.translate(req);
    assert.deepEqual([off.fromCache, off.stored], [false, false]);
  });

  it('keeps confident translations longer than doubtful ones', async () => {
    const engine = new RowCounter(nllb);
    const key = (t: string) => translationCacheKey('eng_Latn', 'fra_Latn', 'tiny', t);
    const confident = worker('c', engine, { confidentThreshold: 0, ttlS: 100, confidentTtlS: 5000 });
    await confident.translator.translate({
      text: 'hello',
      source: 'eng_Latn',
      target: 'fra_Latn',
      cacheKey: key('hello'),
    });
    const doubtful = worker('d', engine, { confidentThreshold: 1, ttlS: 100, confidentTtlS: 5000 });
    await doubtful.translator.translate({
      text: 'goodbye',
      source: 'eng_Latn',
      target: 'fra_Latn',
      cacheKey: key('goodbye'),
    });
    const [ttlConfident, ttlDoubtful] = await Promise.all([
      cacheRedis.ttl(key('hello')),
      cacheRedis.ttl(key('goodbye')),
    ]);
    assert.ok(ttlConfident > 4000 && ttlConfident <= 5000, `${ttlConfident}`);
    assert.ok(ttlDoubtful > 50 && ttlDoubtful <= 100, `${ttlDoubtful}`);
  });

  it('translates itself when the lock holder disappears without writing', async () => {
    const engine = new RowCounter(nllb);
    const w = worker('e', engine, { missLockMs: 300 });
    const cacheKey = translationCacheKey('eng_Latn', 'deu_Latn', 'tiny', 'orphan');
    // A crashed worker's lock: held, never released, no cache write.
    await new RedisMissLock(queueRedis).acquire(cacheKey, 'crashed', 300);
    const out = await w.translator.translate({
      text: 'orphan',
      source: 'eng_Latn',
      target: 'deu_Latn',
      cacheKey,
    });
    assert.equal(out.fromCache, false);
    assert.equal(engine.rows, 1);
  });
});
