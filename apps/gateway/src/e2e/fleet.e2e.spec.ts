import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import {
  bearer,
  createLiveTranslateClient,
  readWav,
  speechFixture,
  startLocalStack,
  streamAudio,
  type AppProcess,
  type LocalStack,
} from '@olt/devkit';
import type { LiveTranslateClient, StreamResponse__Output } from '@olt/shared';
import { readSse } from './stream-helpers';

const KEYS = { viewer: 'key-viewer-0123456789', capped: 'key-capped-0123456789' };
const LEASE_TTL_MS = 1500;

/** Opens a stream that stays open (config only, no audio): resolves with its first response or error. */
function holdStream(client: LiveTranslateClient, apiKey: string, sessionId: string) {
  const call = client.streamTranslate(bearer(apiKey));
  const first = new Promise<{ started?: boolean; error?: grpc.ServiceError }>((resolve) => {
    call.on('data', (r: StreamResponse__Output) => resolve({ started: !!r.started }));
    call.on('error', (error: grpc.ServiceError) => resolve({ error }));
  });
  call.write({
    config: {
      sessionId,
      audio: { encoding: 'LINEAR16', sampleRateHz: 16000, channels: 1 },
      sourceLanguage: 'en',
    },
  });
  return { call, first };
}

async function metricsText(adminUrl: string): Promise<string> {
  return (await fetch(`${adminUrl}/metrics`)).text();
}

async function tierWorkers(adminUrl: string, tier: string): Promise<number> {
  const m = new RegExp(`^olt_asr_tier_workers\\{tier="${tier}"[^}]*\\} (\\d+)`, 'm').exec(
    await metricsText(adminUrl),
  );
  return m ? Number(m[1]) : -1;
}

/** ASR jobs this gateway sent to each tier (olt_asr_jobs_routed_total summed by chosen tier). */
async function routed(adminUrl: string): Promise<Record<string, number>> {
  const out: Record<string, number> = { cpu: 0, low: 0, medium: 0, high: 0 };
  for (const m of (await metricsText(adminUrl)).matchAll(
    /^olt_asr_jobs_routed_total\{[^}]*\btier="(\w+)"[^}]*\} (\d+)/gm,
  ))
    out[m[1]] += Number(m[2]);
  return out;
}

async function until(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Two gateways on the same Redis servers, as the chart runs them: what one gateway holds (a stream, its
 * subtitles, a tenant's stream count) is seen by the other, and a killed gateway's streams stop counting.
 * Two ASR workers of different tiers show the routing: jobs reach both, and spill when one stops.
 */
describe('a fleet of two gateways', () => {
  let stack: LocalStack;
  let clientA: LiveTranslateClient;
  let clientB: LiveTranslateClient;
  let asrWorkers: Record<'cpu' | 'low', AppProcess>;

  before(async () => {
    stack = await startLocalStack({
      gateways: 2,
      apiKeys: KEYS,
      tenantMaxStreams: { capped: 1 },
      // Gateways route by plan and capacity; the two ASR workers below pin their own tier by env.
      settings: {
        gateway: { stream_lease_ttl_ms: LEASE_TTL_MS },
        asr: { tier: 'auto' },
        asr_routing: { refresh_ms: 300 },
      },
      asrWorkers: 0,
      waitForReady: false,
    });
    asrWorkers = {
      cpu: await stack.startWorker('asr-worker', { OLT__ASR__TIER: 'cpu' }),
      low: await stack.startWorker('asr-worker', { OLT__ASR__TIER: 'low' }),
    };
    await stack.waitReady();
    clientA = createLiveTranslateClient(stack.gateways[0].grpcAddress);
    clientB = createLiveTranslateClient(stack.gateways[1].grpcAddress);
  });

  after(async () => {
    clientA?.close();
    clientB?.close();
    await stack?.stop();
  });

  it('a feed opened on the gateway that does not hold the stream shows its subtitles, and its overlay link works there', async () => {
    const [a, b] = stack.gateways;
    const sessionId = 'fleet-overlay';
    const feedOnB = readSse(`${b.httpUrl}/v1/sessions/${sessionId}/feed`, KEYS.viewer, (events) =>
      events.some((e) => e.type === 'ended'),
    );
    await new Promise((r) => setTimeout(r, 300));
    const wav = readWav(speechFixture('two-sentences.wav').path);
    const outcome = await streamAudio(clientA, {
      apiKey: KEYS.viewer,
      realtimeFactor: 4,
      config: {
        sessionId,
        audio: { encoding: 'LINEAR16', sampleRateHz: wav.sampleRate, channels: 1 },
        sourceLanguage: 'en',
        targetLanguages: ['es'],
      },
      pcm: wav.data,
    });
    assert.equal(outcome.error, undefined, outcome.error?.details);
    const streamed = outcome.responses.filter((r) => r.transcript?.isFinal).map((r) => r.transcript!.text);
    assert.ok(streamed.length >= 1, 'the stream produced finals');
    const events = await feedOnB;
    const shown = events.filter((e) => e.type === 'transcript' && e.isFinal).map((e) => e.text);
    assert.deepEqual(shown, streamed, 'gateway B showed every final of the stream held by gateway A');
    const seqs = events.map((e) => Number(e.seq));
    assert.deepEqual(
      seqs,
      [...seqs].sort((x, y) => x - y),
      'in sequence order',
    );

    // The overlay link A handed out verifies on B (one signing key for the fleet).
    const overlayUrl = new URL(outcome.responses[0].started!.overlayUrl);
    const page = await fetch(`${b.httpUrl}${overlayUrl.pathname}${overlayUrl.search}`);
    assert.equal(page.status, 200, await page.text());
    // And B lists the session held by A.
    const list = await fetch(`${b.httpUrl}/v1/sessions?all=1`, {
      headers: { authorization: `Bearer ${KEYS.viewer}` },
    });
    const body = (await list.json()) as { sessions: Array<{ sessionId: string }> };
    assert.ok(
      body.sessions.some((s) => s.sessionId === sessionId),
      JSON.stringify(body),
    );
    void a;
  });

  it('ASR jobs reach both worker tiers: the plan’s tier while it has workers, the next one once it stops', async () => {
    const gw = stack.gateways[1];
    // A "pro" tenant's tiers: medium, high, low, cpu. No medium/high workers here: low first, then cpu.
    await until(
      async () =>
        (await tierWorkers(gw.adminUrl, 'low')) === 1 && (await tierWorkers(gw.adminUrl, 'cpu')) === 1,
    );
    const wav = readWav(speechFixture('two-sentences.wav').path);
    const stream = async (sessionId: string) => {
      const outcome = await streamAudio(clientB, {
        apiKey: KEYS.viewer,
        realtimeFactor: 8,
        config: {
          sessionId,
          audio: { encoding: 'LINEAR16', sampleRateHz: wav.sampleRate, channels: 1 },
          sourceLanguage: 'en',
        },
        pcm: wav.data,
      });
      assert.equal(outcome.error, undefined, outcome.error?.details);
      assert.ok(
        outcome.responses.some((r) => r.transcript?.isFinal),
        `${sessionId} produced finals`,
      );
    };
    const before = await routed(gw.adminUrl);
    await stream('tier-low');
    const mid = await routed(gw.adminUrl);
    assert.ok(mid.low > before.low, `jobs went to the low tier: ${JSON.stringify(mid)}`);
    assert.equal(mid.cpu, before.cpu, 'none to cpu while low has a worker');

    await asrWorkers.low.stop();
    await until(async () => (await tierWorkers(gw.adminUrl, 'low')) === 0);
    await stream('tier-spill');
    const after = await routed(gw.adminUrl);
    assert.ok(after.cpu > mid.cpu, `jobs spilled to cpu: ${JSON.stringify(after)}`);
    assert.equal(after.low, mid.low, 'none to the stopped tier');
  });

  it("a tenant's max_streams holds across both gateways, and a killed gateway's leases expire", async () => {
    const held = holdStream(clientA, KEYS.capped, 'capped-1');
    assert.deepEqual(await held.first, { started: true });
    const refused = holdStream(clientB, KEYS.capped, 'capped-2');
    const outcome = await refused.first;
    assert.equal(outcome.error?.code, grpc.status.RESOURCE_EXHAUSTED, outcome.error?.details);
    assert.match(outcome.error!.details, /already has 1 open streams.*across all gateways/);

    // Gateway A dies without a word (SIGKILL): nobody releases its lease; it lapses.
    held.call.on('error', () => undefined);
    await stack.gateways[0].process.kill();
    await new Promise((r) => setTimeout(r, LEASE_TTL_MS + 500));
    const afterDeath = holdStream(clientB, KEYS.capped, 'capped-3');
    assert.deepEqual(await afterDeath.first, { started: true });
    afterDeath.call.end();
    afterDeath.call.on('error', () => undefined);
  });
});
