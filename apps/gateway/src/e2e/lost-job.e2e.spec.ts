import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import {
  createLiveTranslateClient,
  readWav,
  speechFixture,
  startLocalStack,
  streamAudio,
  type LocalStack,
} from '@olt/devkit';
import type { LiveTranslateClient } from '@olt/shared';
import { contractViolations } from './stream-helpers';
import { until } from '@olt/devkit/dist/testing';

/**
 * A job lost with the queue Redis's last writes (a restart between AOF fsyncs, a Sentinel failover before
 * the replica had it) would leave its segment waiting out queue.result_timeout_ms (2 min) with nobody to
 * answer. The gateway looks for the jobs it waits on and enqueues a lost one again, audio included.
 */
describe('a job lost from the queue Redis', () => {
  let stack: LocalStack;
  let client: LiveTranslateClient;
  let redis: Redis;

  before(async () => {
    // No ASR worker yet: the segment's job waits in the queue until the test has lost it.
    stack = await startLocalStack({ asrWorkers: 0, settings: { queue: { lost_job_check_ms: 300 } } });
    client = createLiveTranslateClient(stack.grpcAddress);
    redis = new Redis(stack.queueRedisUrl);
  });
  after(async () => {
    client?.close();
    redis?.disconnect();
    await stack?.stop();
  });

  it('is enqueued again by the waiting gateway and answered once, long before the result timeout', async () => {
    const wav = readWav(speechFixture('hello.wav').path);
    const outcome = streamAudio(client, {
      config: {
        audio: { encoding: 'LINEAR16', sampleRateHz: wav.sampleRate, channels: 1 },
        sourceLanguage: 'en',
        targetLanguages: ['es'],
        interimResults: false,
      },
      pcm: wav.data,
    });
    const asrJobs = async () => (await redis.keys('*:bull:asr-*:prioritized')).length > 0;
    await until('the segment’s ASR job to wait in the queue', asrJobs, 30_000, 50);
    // Everything the queue Redis held is gone: the job, the segment's audio, the reply stream's group.
    await redis.flushall();
    const lostAt = Date.now();
    await stack.startWorker('asr-worker');
    const { responses, error } = await outcome;
    assert.equal(error, undefined, error?.details);
    const finals = responses.filter((r) => r.transcript?.isFinal);
    assert.equal(finals.length, 1, 'one final for the one segment');
    assert.notEqual(finals[0].transcript!.text, '', 'transcribed from the audio sent again');
    assert.equal(responses.filter((r) => r.translation?.isFinal).length, 1);
    assert.ok(!responses.some((r) => r.event?.type === 'WARNING' || r.event?.type === 'SERVER_BUSY'));
    assert.deepEqual(contractViolations(responses, ['es']), []);
    assert.ok(Date.now() - lostAt < 30_000, `answered ${Date.now() - lostAt} ms after the loss`);
    const metrics = await (await fetch(`${stack.adminUrl}/metrics`)).text();
    assert.match(metrics, /olt_gateway_lost_jobs_resent_total\{[^}]*kind="asr"[^}]*\} [1-3]\b/);
  });
});
