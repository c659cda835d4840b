import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AsrReply, ConfigService, JobQueue, SegmentStore } from '@olt/shared';
import { testQueueBreaker } from '../infra/queue-breaker.testing';
import type { AsrTierRouter } from './asr-tier-router';
import type { GatewayIdentity } from '../infra/gateway-identity';
import type { ReplyRouter } from '../results/reply-router.service';
import { AsrDispatcher } from './asr-dispatcher.service';
import type { TranscribeRequest } from './asr-transcriber.port';

/** Fakes of the queue, store and reply router: this checks only where the dispatcher puts audio. */
const RESILIENCE = {
  requestTimeoutMs: 200,
  cacheTimeoutMs: 100,
  breakerErrorPercent: 50,
  breakerMinCalls: 3,
  breakerWindowMs: 10_000,
  breakerResetMs: 60_000,
};
function dispatcher(put?: SegmentStore['put']) {
  const stored = new Map<string, Float32Array>();
  const jobs: Array<{ audioKey: string; tenantId: string }> = [];
  const store = {
    put: put ?? (async (key: string, audio: Float32Array) => void stored.set(key, audio)),
    delete: async () => undefined,
  } as unknown as SegmentStore;
  const queue = {
    add: async (_q: string, _n: string, data: { audioKey: string; tenantId: string }) => void jobs.push(data),
  } as unknown as JobQueue;
  const router = {
    exchange: async (opts: { enqueue: () => Promise<unknown> }) => {
      await opts.enqueue();
      return { kind: 'asr', ok: true, text: '' } as unknown as AsrReply;
    },
  } as unknown as ReplyRouter;
  const config = {
    current: { queue: { segmentTtlS: 60, resultTimeoutMs: 1000 }, resilience: RESILIENCE },
  } as unknown as ConfigService;
  const d = new AsrDispatcher(
    queue,
    store,
    { route: async () => ({ tier: 'cpu' }), observe: () => undefined } as unknown as AsrTierRouter,
    router,
    { id: 'gw-1' } as GatewayIdentity,
    config,
    testQueueBreaker(config),
  );
  return { d, stored, jobs };
}

const request = (tenantId: string, audio: number): TranscribeRequest => ({
  sessionId: 'same-session',
  tenantId,
  plan: 'pro',
  priority: 'NORMAL',
  segmentId: 'same-session:1200',
  revision: 3,
  isFinal: true,
  audio: new Float32Array([audio]),
  startMs: 1200,
  endMs: 2400,
});

describe('AsrDispatcher keeps segment audio apart', () => {
  it('two tenants (or two calls) with the same session, segment and revision never share an audio key', async () => {
    const { d, stored, jobs } = dispatcher();
    await Promise.all([d.transcribe(request('tenant-a', 0.1)), d.transcribe(request('tenant-b', 0.2))]);
    await d.transcribe(request('tenant-a', 0.3)); // the same tenant again: a resumed call, say
    assert.equal(stored.size, 3, `audio keys: ${[...stored.keys()].join(', ')}`);
    for (const job of jobs) {
      assert.ok(
        job.audioKey.includes(`:seg:${job.tenantId}:`),
        `${job.audioKey} is scoped to ${job.tenantId}`,
      );
      assert.ok(!job.audioKey.includes('same-session'), 'the client-chosen id is not part of the key');
    }
  });
});

describe('AsrDispatcher during a queue-Redis outage', () => {
  it('fails a segment whose audio cannot be stored with UNAVAILABLE at the deadline, then fails fast once the circuit opens', async () => {
    const { d, jobs } = dispatcher(() => new Promise<void>(() => undefined)); // Redis never answers
    const started = Date.now();
    await assert.rejects(d.transcribe(request('tenant-a', 0.1)), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'UNAVAILABLE');
      assert.match(err.message, /queue Redis\) did not answer within 200 ms/);
      return true;
    });
    assert.ok(Date.now() - started < 5000, `waited ${Date.now() - started} ms`);
    await Promise.allSettled([1, 2, 3].map((i) => d.transcribe(request('tenant-a', i))));
    const fast = Date.now();
    await assert.rejects(d.transcribe(request('tenant-a', 0.5)), /circuit "queue" open/);
    assert.ok(Date.now() - fast < 100, 'an open circuit answers at once');
    assert.equal(jobs.length, 0, 'nothing was enqueued without its audio');
  });
});
