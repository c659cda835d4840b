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
  type LocalStack,
} from '@olt/devkit';
import type { LiveTranslateClient, StreamResponse__Output } from '@olt/shared';

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

/** Reads an SSE feed until `done` says so (or the deadline); returns the parsed data events. */
async function readSse(
  url: string,
  apiKey: string,
  done: (events: Array<Record<string, unknown>>) => boolean,
) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 60_000);
  const events: Array<Record<string, unknown>> = [];
  try {
    const res = await fetch(url, { headers: { authorization: `Bearer ${apiKey}` }, signal: abort.signal });
    assert.equal(res.status, 200);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (data && !block.startsWith('event: hello')) events.push(JSON.parse(data.slice(6)));
      }
      if (done(events)) break;
    }
  } catch (err) {
    if (!abort.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return events;
}

/**
 * Two gateways on the same Redis servers, as the chart runs them: what one gateway holds (a stream, its
 * subtitles, a tenant's stream count) is seen by the other, and a killed gateway's streams stop counting.
 */
describe('a fleet of two gateways', () => {
  let stack: LocalStack;
  let clientA: LiveTranslateClient;
  let clientB: LiveTranslateClient;

  before(async () => {
    stack = await startLocalStack({
      gateways: 2,
      apiKeys: KEYS,
      tenantMaxStreams: { capped: 1 },
      settings: { gateway: { stream_lease_ttl_ms: LEASE_TTL_MS } },
    });
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
