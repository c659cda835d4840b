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

/**
 * The reply path heals itself (issue 11): when the gateway's reply stream vanishes — expiry after an idle
 * hour, a queue-Redis restart without persistence — the next stream still gets its results, and /readyz
 * reports the reply reader.
 */
describe('reply path after its stream is lost', () => {
  let stack: LocalStack;
  let client: LiveTranslateClient;
  let redis: Redis;
  const wav = () => readWav(speechFixture('hello.wav').path);
  const stream = () =>
    streamAudio(client, {
      config: {
        audio: { encoding: 'LINEAR16', sampleRateHz: wav().sampleRate, channels: 1 },
        sourceLanguage: 'en',
        targetLanguages: ['es'],
      },
      pcm: wav().data,
    });

  before(async () => {
    stack = await startLocalStack();
    client = createLiveTranslateClient(stack.grpcAddress);
    redis = new Redis(stack.queueRedisUrl);
  });
  after(async () => {
    client?.close();
    redis?.disconnect();
    await stack?.stop();
  });

  it('a stream after the reply stream key was deleted still gets its transcript and translation', async () => {
    const first = await stream();
    assert.equal(first.error, undefined, first.error?.details);
    const keys = await redis.keys('*replies:*');
    assert.equal(keys.length, 1, `one gateway reply stream: ${keys.join(', ')}`);
    assert.ok((await redis.ttl(keys[0])) > 0, 'it expires only if its gateway stops refreshing it');
    await redis.del(keys[0]);

    const started = Date.now();
    const second = await stream();
    assert.equal(second.error, undefined, second.error?.details);
    assert.ok(
      second.responses.some((r) => r.transcript?.isFinal),
      'final transcript arrived',
    );
    assert.ok(
      second.responses.some((r) => r.translation?.isFinal),
      'final translation arrived',
    );
    assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`);

    const ready = (await (await fetch(`${stack.httpUrl}/readyz`)).json()) as {
      checks: Record<string, { ok: boolean }>;
    };
    assert.equal(ready.checks.replies?.ok, true, JSON.stringify(ready));
    const metrics = await (await fetch(`${stack.adminUrl}/metrics`)).text();
    assert.match(metrics, /olt_gateway_reply_stream_recreated_total\{[^}]*\} [1-9]/);
  });
});
