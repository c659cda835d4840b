import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
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

const TARGETS = ['es'];

describe('the translation cache Redis stopped', () => {
  let stack: LocalStack;
  let client: LiveTranslateClient;

  before(async () => {
    stack = await startLocalStack({
      settings: {
        resilience: { cache_timeout_ms: 200, breaker_min_calls: 2, breaker_reset_ms: 1000 },
      },
    });
    client = createLiveTranslateClient(stack.grpcAddress);
  });

  after(async () => {
    client?.close();
    await stack?.stop();
  });

  const translateOnce = async (file = 'hello.wav') => {
    const outcome = await streamAudio(client, {
      config: {
        audio: { encoding: 'LINEAR16', sampleRateHz: 16000, channels: 1 },
        sourceLanguage: 'en',
        targetLanguages: TARGETS,
      },
      pcm: readWav(speechFixture(file).path).data,
    });
    assert.equal(outcome.error, undefined, outcome.error?.details);
    assert.deepEqual(contractViolations(outcome.responses, TARGETS), []);
    return outcome.responses.filter((r) => r.translation).map((r) => r.translation!);
  };
  /** olt_circuit_open{breaker="cache"} on the gateway's admin /metrics. */
  const cacheCircuit = async () => {
    const text = await (await fetch(`${stack.adminUrl}/metrics`)).text();
    return Number(/^olt_circuit_open\{[^}]*breaker="cache"[^}]*\} (\d+)/m.exec(text)?.[1]);
  };

  it('streams go on through the model, the cache circuit opens, and it closes again once Redis is back', async () => {
    const warm = await translateOnce();
    assert.ok(warm.length > 0);
    assert.equal(await cacheCircuit(), 0);
    assert.equal(
      (await translateOnce()).every((t) => t.fromCache),
      true,
      'the cache answers while it is up',
    );

    const back = stack.cacheRedis!.restart(8000); // down for 8 s
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    for (const file of ['hello.wav', 'two-sentences.wav']) {
      const during = await translateOnce(file);
      assert.ok(during.length > 0, 'translations still arrive');
      assert.ok(
        during.every((t) => !t.fromCache),
        'from the model, not the cache',
      );
    }
    assert.ok(
      Date.now() - started < 8000,
      `no waiting on the cache (${Date.now() - started} ms for two streams)`,
    );
    assert.equal(await cacheCircuit(), 1, 'the cache circuit is open');

    await back;
    const deadline = Date.now() + 30_000;
    while ((await cacheCircuit()) !== 0) {
      assert.ok(Date.now() < deadline, 'the circuit closed again through a half-open probe');
      await translateOnce();
      await new Promise((r) => setTimeout(r, 300));
    }
  });
});
