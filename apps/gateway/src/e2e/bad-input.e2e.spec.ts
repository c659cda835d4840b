import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import {
  bearer,
  createLiveTranslateClient,
  readWav,
  speechFixture,
  startLocalStack,
  streamAudio,
  type LocalStack,
  type StreamOutcome,
} from '@olt/devkit';
import type { LiveTranslateClient, StreamRequest, StreamResponse__Output } from '@olt/shared';

/** Opens a call, writes the given messages, half-closes, and returns how it ended. */
function exchange(
  client: LiveTranslateClient,
  messages: StreamRequest[],
  apiKey?: string,
): Promise<StreamOutcome> {
  return new Promise((resolve) => {
    const responses: StreamResponse__Output[] = [];
    const call = client.streamTranslate(bearer(apiKey));
    call.on('data', (r: StreamResponse__Output) => responses.push(r));
    call.on('error', (error: grpc.ServiceError) => resolve({ responses, error }));
    call.on('end', () => resolve({ responses }));
    for (const m of messages) call.write(m);
    call.end();
  });
}

function gatewayRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

const pcmConfig = (overrides: Partial<NonNullable<StreamRequest['config']>> = {}): StreamRequest => ({
  config: {
    audio: { encoding: 'LINEAR16', sampleRateHz: 16000, channels: 1 },
    sourceLanguage: 'en',
    targetLanguages: ['es'],
    ...overrides,
  },
});

describe('bad input gets a clear gRPC status and never hurts other streams', () => {
  let stack: LocalStack;
  let client: LiveTranslateClient;
  const hello = () => readWav(speechFixture('hello.wav').path);

  before(async () => {
    stack = await startLocalStack();
    client = createLiveTranslateClient(stack.grpcAddress, {
      'grpc.max_send_message_length': 64 * 1024 * 1024,
    });
  });

  after(async () => {
    client?.close();
    await stack?.stop();
  });

  async function assertStillServing(): Promise<void> {
    const wav = hello();
    const ok = await streamAudio(client, {
      config: {
        audio: { encoding: 'LINEAR16', sampleRateHz: 16000, channels: 1 },
        sourceLanguage: 'en',
        targetLanguages: ['es'],
      },
      pcm: wav.data,
    });
    assert.equal(ok.error, undefined, ok.error?.details);
    assert.ok(
      ok.responses.some((r) => r.transcript?.isFinal),
      'a normal stream still gets its transcript',
    );
    assert.ok(gatewayRunning(), 'gateway process alive');
  }
  const gatewayRunning = () => stack.gateway.running;

  it('audio before the config → INVALID_ARGUMENT naming StreamConfig', async () => {
    const out = await exchange(client, [{ audio: { data: Buffer.alloc(320) } }]);
    assert.equal(out.error?.code, grpc.status.INVALID_ARGUMENT);
    assert.match(out.error!.details, /first message .* must be a StreamConfig/);
  });

  it('a second config → INVALID_ARGUMENT', async () => {
    const out = await exchange(client, [pcmConfig(), pcmConfig()]);
    assert.equal(out.error?.code, grpc.status.INVALID_ARGUMENT);
    assert.match(out.error!.details, /only be sent once/);
    assert.ok(out.responses[0]?.started, 'the first config was accepted');
  });

  it('an unknown target language → INVALID_ARGUMENT naming the code and a close match', async () => {
    const out = await exchange(client, [pcmConfig({ targetLanguages: ['es', 'spa_Latm'] })]);
    assert.equal(out.error?.code, grpc.status.INVALID_ARGUMENT);
    assert.match(out.error!.details, /"spa_Latm".*did you mean "spa_latn"/i);
  });

  it('an unknown source language → INVALID_ARGUMENT', async () => {
    const out = await exchange(client, [pcmConfig({ sourceLanguage: 'klingon' })]);
    assert.equal(out.error?.code, grpc.status.INVALID_ARGUMENT);
    assert.match(out.error!.details, /unknown source language "klingon"/);
  });

  it('sample rate 0 → INVALID_ARGUMENT with the allowed range', async () => {
    const out = await exchange(client, [
      pcmConfig({ audio: { encoding: 'LINEAR16', sampleRateHz: 0, channels: 1 } }),
    ]);
    assert.equal(out.error?.code, grpc.status.INVALID_ARGUMENT);
    assert.match(out.error!.details, /sample_rate_hz = 0 .*8000\.\.192000/);
  });

  it('an unknown priority number → INVALID_ARGUMENT at the config, not empty finals later', async () => {
    for (const priority of [5, 99]) {
      const out = await exchange(client, [pcmConfig({ priority: priority as unknown as 'NORMAL' })]);
      assert.equal(out.error?.code, grpc.status.INVALID_ARGUMENT, `priority ${priority}`);
      assert.match(out.error!.details, new RegExp(`priority = ${priority} is not a known priority`));
    }
  });

  it('channels 0 → INVALID_ARGUMENT, the same rule as sample rate 0', async () => {
    const out = await exchange(client, [
      pcmConfig({ audio: { encoding: 'LINEAR16', sampleRateHz: 16000, channels: 0 } }),
    ]);
    assert.equal(out.error?.code, grpc.status.INVALID_ARGUMENT);
    assert.match(out.error!.details, /channels = 0 \(not set\)/);
  });

  it('megabyte language codes and 20,000 targets are refused at once with a short message', async () => {
    const huge = 'q'.repeat(1 << 20);
    for (const config of [
      pcmConfig({ sourceLanguage: huge }),
      pcmConfig({ targetLanguages: [huge] }),
      pcmConfig({ targetLanguages: Array.from({ length: 20_000 }, (_, i) => `x${i}`) }),
      pcmConfig({ glossary: Array.from({ length: 5000 }, (_, i) => ({ source: `t${i}`, target: '' })) }),
    ]) {
      const started = Date.now();
      const out = await exchange(client, [config]);
      assert.equal(out.error?.code, grpc.status.INVALID_ARGUMENT);
      assert.ok(out.error!.details.length < 1100, `status message of ${out.error!.details.length} chars`);
      assert.ok(Date.now() - started < 5000);
    }
    await assertStillServing();
  });

  it('an odd byte count for LINEAR16 → INVALID_ARGUMENT', async () => {
    const out = await exchange(client, [pcmConfig(), { audio: { data: Buffer.alloc(321) } }]);
    assert.equal(out.error?.code, grpc.status.INVALID_ARGUMENT);
    assert.match(out.error!.details, /321/);
  });

  it('a 10 MB chunk → RESOURCE_EXHAUSTED from the transport, and the gateway keeps serving', async () => {
    const out = await exchange(client, [pcmConfig(), { audio: { data: Buffer.alloc(10 * 1024 * 1024) } }]);
    assert.equal(out.error?.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.match(out.error!.details, /larger than max/);
    await assertStillServing();
  });

  it('a client that disconnects mid-segment leaves the gateway serving others', async () => {
    const wav = hello();
    await new Promise<void>((resolve) => {
      const call = client.streamTranslate(bearer(undefined));
      call.on('error', () => resolve());
      call.on('data', () => undefined);
      call.write(pcmConfig());
      call.write({ audio: { data: wav.data.subarray(0, Math.floor(wav.data.length / 2) & ~1) } });
      setTimeout(() => call.cancel(), 300);
    });
    await assertStillServing();
  });

  it('a client that stops reading while sending keeps gateway memory flat', async () => {
    const wav = hello();
    const before = gatewayRssMb(stack.gateway.pid);
    let sentBytes = 0;
    await new Promise<void>((resolve) => {
      const call = client.streamTranslate(bearer(undefined));
      call.on('error', () => resolve());
      call.pause(); // never read a response
      call.write(pcmConfig());
      const deadline = Date.now() + 8000;
      const pump = () => {
        while (Date.now() < deadline) {
          sentBytes += wav.data.length;
          if (!call.write({ audio: { data: wav.data } })) {
            call.once('drain', pump);
            return;
          }
        }
        call.cancel();
      };
      pump();
      // If flow control stalls the client for good, cancel at the deadline anyway.
      setTimeout(() => call.cancel(), 9000);
    });
    const afterMb = gatewayRssMb(stack.gateway.pid);
    assert.ok(sentBytes > 0);
    assert.ok(
      afterMb - before < 80,
      `gateway RSS grew by ${(afterMb - before).toFixed(1)} MB (before ${before.toFixed(0)} MB)`,
    );
    await assertStillServing();
  });
});
