import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import {
  createLiveTranslateClient,
  readWav,
  speechFixture,
  startLocalStack,
  streamAudio,
  type LocalStack,
} from '@olt/devkit';
import { asrQueueName, type LiveTranslateClient } from '@olt/shared';

describe('a worker killed with SIGKILL mid-job', () => {
  let stack: LocalStack;
  let client: LiveTranslateClient;
  let redis: Redis;

  before(async () => {
    stack = await startLocalStack({
      asrWorkers: 0,
      // The production lock settings (queue.lock_duration_ms 1000, stalled_interval_ms 250): a dead
      // worker's job is found stalled within ~1.5 s, safe because inference runs in worker threads.
      waitForReady: false,
    });
  });

  after(async () => {
    client?.close();
    await redis?.quit();
    await stack?.stop();
  });

  it('is retried by another worker and the client still gets the segment', async () => {
    // Worker A holds each job for 30 s (fault injection) so it is certainly mid-job when killed.
    const workerA = await stack.startWorker('asr-worker', { OLT__FAULTS__ASR_JOB_DELAY_MS: '30000' });
    await stack.waitReady();
    client = createLiveTranslateClient(stack.grpcAddress);
    redis = new Redis(stack.queueRedisUrl);
    const queue = new Queue(asrQueueName('cpu'), { connection: redis, prefix: 'olt:bull' });

    const wav = readWav(speechFixture('hello.wav').path);
    const result = streamAudio(client, {
      config: {
        audio: { encoding: 'LINEAR16', sampleRateHz: 16000, channels: 1 },
        sourceLanguage: 'en',
        targetLanguages: ['es'],
      },
      pcm: wav.data,
    });
    const deadline = Date.now() + 20_000;
    while ((await queue.getActiveCount()) === 0) {
      assert.ok(Date.now() < deadline, 'worker A never took the job');
      await new Promise((r) => setTimeout(r, 50));
    }
    await workerA.kill();
    await stack.startWorker('asr-worker');

    const outcome = await result;
    assert.equal(outcome.error, undefined, outcome.error?.details);
    const finals = outcome.responses.filter((r) => r.transcript?.isFinal);
    assert.equal(finals.length, 1, 'the segment was not lost');
    assert.notEqual(finals[0].transcript!.text, '', 'it was transcribed, not given up');
    assert.equal(outcome.responses.filter((r) => r.translation).length, 1);
    await queue.close();
  });
});
