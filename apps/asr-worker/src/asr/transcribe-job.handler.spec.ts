import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import pino from 'pino';
import type { PinoLogger } from 'nestjs-pino';
import {
  type AsrJobData,
  type AsrReply,
  BullmqJobQueue,
  ConfigService,
  JOB_NAMES,
  Metrics,
  MetricsRegistry,
  RedisReplyPublisher,
  RedisSegmentStore,
  ReplyStreamReader,
  WorkerIdentity,
  asrQueueName,
  type WorkerPlacement,
  segmentAudioKey,
  type WorkerReply,
} from '@olt/shared';
import {
  ensureTinyModels,
  generateTinyWhisper,
  readWav,
  type RedisServer,
  speechFixture,
  startRedisServer,
} from '@olt/devkit';
import { AsrWorkerRunner } from './asr-worker.runner';
import { TranscribeJobHandler } from './transcribe-job.handler';
import { loadWhisperEngine, type WhisperEngine } from './whisper';

function sine(hz: number, seconds: number): Float32Array {
  return Float32Array.from(
    { length: Math.round(16000 * seconds) },
    (_, i) => Math.sin((2 * Math.PI * hz * i) / 16000) * 0.4,
  );
}

const silentLogger = pino({ level: 'silent' });
/** Logging is not under test: a PinoLogger-shaped wrapper around a silent pino. */
const logger = {
  logger: silentLogger,
  warn: () => undefined,
  debug: () => undefined,
  info: () => undefined,
} as unknown as PinoLogger;

/** A real ASR worker (runner + handler + batcher + engine) on real Redis and BullMQ, and a reply reader. */
async function startWorker(redisUrl: string, modelDir: string, maxNewTokens?: number) {
  const config = new ConfigService({
    env: {},
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    overrides: {
      redis: { queueUrl: redisUrl, cacheUrl: redisUrl },
      asr: { batchMaxSize: 8, batchMaxWaitMs: 200, concurrency: 1, maxNewTokens: maxNewTokens ?? 128 },
      queue: { attempts: 1 },
      workers: { httpPort: 0, heartbeatMs: 60000 },
    },
  });
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  // BullmqJobQueue.work() duplicates the connection for its Worker and never closes the duplicate (a
  // process exit does in production); keep hold of duplicates so this test can end its event loop.
  const duplicates: Redis[] = [];
  const duplicate = redis.duplicate.bind(redis);
  redis.duplicate = ((...args: Parameters<Redis['duplicate']>) => {
    const copy = duplicate(...args);
    duplicates.push(copy);
    return copy;
  }) as Redis['duplicate'];
  const queue = new BullmqJobQueue({
    connection: redis,
    prefix: 'olt',
    attempts: 1,
    backoffMs: 100,
    lockDurationMs: 30000,
    stalledIntervalMs: 30000,
    removeOnComplete: 100,
    removeOnFail: 100,
  });
  const engine = await loadWhisperEngine(modelDir, { precision: 'fp32', maxNewTokens });
  const registry = new MetricsRegistry();
  const metrics = new Metrics(registry, 'asr-worker');
  const identity = new WorkerIdentity();
  const store = new RedisSegmentStore(redis);
  const handler = new TranscribeJobHandler(
    engine,
    store,
    new RedisReplyPublisher(redis),
    config,
    metrics,
    identity,
    logger,
  );
  const runner = new AsrWorkerRunner(
    queue,
    redis,
    engine,
    handler,
    config,
    identity,
    metrics,
    registry,
    // What placeWorkerModel reports for the configured CPU tier (the spec loads the engine itself).
    {
      kind: 'asr',
      tier: 'cpu',
      tierSource: 'config',
      device: 'cpu',
      model: engine.info.id,
      precision: engine.info.precision,
      executionProvider: engine.info.executionProvider,
      stepDowns: [],
      notes: [],
    } as unknown as WorkerPlacement,
    logger,
  );
  await runner.onApplicationBootstrap();

  const replies = new Map<string, AsrReply>();
  const waiters = new Map<string, (r: AsrReply) => void>();
  const readerRedis = redis.duplicate(); // XREADGROUP BLOCK holds its connection
  const reader = new ReplyStreamReader(
    readerRedis,
    'gw-test',
    (reply: WorkerReply) => {
      if (reply.kind !== 'asr') return;
      replies.set(reply.requestId, reply);
      waiters.get(reply.requestId)?.(reply);
    },
    (err) => assert.fail(String(err)),
    { blockMs: 100 },
  );
  await reader.start();

  let n = 0;
  /** Enqueues one segment as the gateway would; resolves with its reply. */
  async function submit(audio: Float32Array, extra: Partial<AsrJobData> = {}): Promise<AsrReply> {
    const requestId = `req-${++n}`;
    const audioKey = segmentAudioKey('tenant-a', `seg-${n}`);
    await store.put(audioKey, audio, 600);
    const reply = new Promise<AsrReply>((resolve) => waiters.set(requestId, resolve));
    const data: AsrJobData = {
      v: 1,
      reply: { gatewayId: 'gw-test', sessionId: `s-${n}`, requestId },
      tenantId: 't',
      segmentId: `seg-${n}`,
      revision: 0,
      isFinal: true,
      audioKey,
      sampleCount: audio.length,
      startMs: 1000,
      endMs: 1000 + audio.length / 16,
      enqueuedAt: Date.now(),
      ...extra,
    };
    await queue.add(asrQueueName('cpu'), JOB_NAMES.transcribe, data, { priority: 10, jobId: requestId });
    return reply;
  }

  async function stop(): Promise<void> {
    await reader.stop();
    await runner.onApplicationShutdown();
    await queue.close();
    for (const d of duplicates) d.disconnect();
    redis.disconnect();
    await config.close();
  }
  return { submit, stop, engine, registry };
}

describe('ASR worker: cross-stream micro-batching through BullMQ (real Redis)', () => {
  const root = mkdtempSync(join(tmpdir(), 'olt-asr-handler-'));
  let server: RedisServer;
  let worker: Awaited<ReturnType<typeof startWorker>>;
  let reference: WhisperEngine;
  let speech: Float32Array;

  before(async () => {
    server = await startRedisServer({ policy: 'noeviction', name: 'asr-handler' });
    const dir = (await ensureTinyModels(root)).whisper;
    worker = await startWorker(server.url, dir);
    reference = await loadWhisperEngine(dir, { precision: 'fp32' });
    speech = readWav(speechFixture('hello.wav').path).samples;
  });
  after(async () => {
    await worker?.stop();
    await reference?.dispose();
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('concurrent jobs of mixed lengths run in shared batches and get the one-at-a-time results', async () => {
    const jobs: Array<{ audio: Float32Array; extra: Partial<AsrJobData> }> = [
      { audio: speech, extra: { language: 'en' } },
      { audio: sine(500, 0.6), extra: { language: 'en', isFinal: false } },
      { audio: sine(2500, 3.2), extra: {} },
      { audio: speech.subarray(0, 12000), extra: { language: 'de', isFinal: false } },
      { audio: sine(800, 7), extra: { language: 'en', prompt: 'river' } },
      { audio: sine(1200, 1.1), extra: { language: 'en', timestamps: true } },
    ];
    const replies = await Promise.all(jobs.map((j) => worker.submit(j.audio, j.extra)));
    for (let i = 0; i < jobs.length; i++) {
      const { audio, extra } = jobs[i];
      const [alone] = await reference.transcribe([
        { audio, language: extra.language, prompt: extra.prompt, timestamps: extra.timestamps },
      ]);
      const r = replies[i];
      assert.equal(r.ok, true, r.error);
      assert.equal(r.text, alone.text, `job ${i}`);
      assert.equal(r.language, alone.language);
      assert.ok(Math.abs(r.confidence - alone.confidence) < 1e-4);
      assert.equal(r.dropped, undefined);
    }
    assert.ok(
      replies.some((r) => (r.batchSize ?? 1) > 1),
      `batch sizes ${replies.map((r) => r.batchSize).join(',')}`,
    );
    // Segment times are in session time: the job's startMs (1000) plus the offset in the clip.
    assert.deepEqual(replies[5].segments, [{ text: replies[5].text, startMs: 1000, endMs: 2100 }]);

    const histogram = await worker.registry.getSingleMetricAsString('olt_worker_batch_size');
    const count = Number(/olt_worker_batch_size_count\{[^}]*\} (\d+)/.exec(histogram)?.[1]);
    const sum = Number(/olt_worker_batch_size_sum\{[^}]*\} (\d+)/.exec(histogram)?.[1]);
    assert.equal(sum, jobs.length, histogram);
    assert.ok(count < jobs.length, `${count} engine calls for ${jobs.length} jobs`);
  });

  it('a bad request fails alone; the others in its batch still get their text', async () => {
    const [good, bad] = await Promise.all([
      worker.submit(sine(700, 1), { language: 'en' }),
      worker.submit(sine(700, 1), { language: 'xx' }),
    ]);
    assert.equal(good.ok, true);
    assert.match(good.text, /^[a-z]+( [a-z]+)+$/);
    assert.equal(bad.ok, false);
    assert.match(bad.error!, /language "xx" is not supported/);
  });
});

describe('ASR worker: hallucination guard in the reply and the metric (real Redis)', () => {
  const root = mkdtempSync(join(tmpdir(), 'olt-asr-guard-'));
  let server: RedisServer;
  let worker: Awaited<ReturnType<typeof startWorker>>;

  before(async () => {
    server = await startRedisServer({ policy: 'noeviction', name: 'asr-guard' });
    const dir = join(root, 'loop-and-no-speech');
    await generateTinyWhisper(dir, { repeatBonus: 1e6, noSpeechLogit: 10, precisions: ['fp32'] });
    worker = await startWorker(server.url, dir, 12);
  });
  after(async () => {
    await worker?.stop();
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('drops text with reasons, counts them by reason, and keeps what the VAD vouches for', async () => {
    const [quiet, vouched] = await Promise.all([
      worker.submit(sine(300, 1), { language: 'en', vadSpeechRatio: 0.1 }),
      worker.submit(sine(300, 1), { language: 'en', vadSpeechRatio: 0.95 }),
    ]);
    assert.equal(quiet.dropped, 'no_speech');
    assert.equal(quiet.text, '');
    assert.ok(quiet.noSpeechProbability! > 0.9);
    // The VAD heard speech, so no-speech is overruled; the looping text is then caught as repetition.
    assert.equal(vouched.dropped, 'repetition');
    assert.equal(vouched.text, '');
    const metric = await worker.registry.getSingleMetricAsString('olt_asr_hallucinations_dropped_total');
    assert.match(metric, /reason="no_speech"[^}]*\} 1\n/);
    assert.match(metric, /reason="repetition"[^}]*\} 1$/);
  });
});
