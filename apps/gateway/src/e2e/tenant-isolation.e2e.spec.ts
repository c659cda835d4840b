import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createLiveTranslateClient,
  readWav,
  speechFixture,
  startLocalStack,
  streamAudio,
  type LocalStack,
  type StreamOutcome,
} from '@olt/devkit';
import type { LiveTranslateClient, StreamResponse__Output } from '@olt/shared';
import WebSocket from 'ws';

const KEYS = { 'tenant-a': 'key-a-0123456789', 'tenant-b': 'key-b-0123456789' };

const finals = (o: StreamOutcome) =>
  o.responses
    .filter((r) => r.transcript?.isFinal)
    .map((r) => `${r.transcript!.startMs}:${r.transcript!.text}`);
const warnings = (o: StreamOutcome) =>
  o.responses.filter((r) => r.event?.type === 'WARNING').map((r) => r.event!.message);

/**
 * Two tenants on one gateway pick the same session id (ids are chosen by clients). Nothing of one may
 * reach the other: segment audio, transcripts, OBS outputs, the subtitle feed, REST session data, overlays.
 */
describe('tenant isolation with client-chosen session ids', () => {
  let stack: LocalStack;
  let client: LiveTranslateClient;
  const wav = () => readWav(speechFixture('two-sentences.wav').path);
  const stream = (apiKey: string, sessionId: string, realtimeFactor = 2) =>
    streamAudio(client, {
      apiKey,
      realtimeFactor,
      config: {
        sessionId,
        audio: { encoding: 'LINEAR16', sampleRateHz: wav().sampleRate, channels: 1 },
        sourceLanguage: 'en',
        targetLanguages: ['es'],
        interimResults: true,
      },
      pcm: wav().data,
    });

  before(async () => {
    stack = await startLocalStack({ apiKeys: KEYS });
    client = createLiveTranslateClient(stack.grpcAddress);
  });

  after(async () => {
    client?.close();
    await stack?.stop();
  });

  it('two tenants streaming the same speech on the same session id at once each get every segment, alone', async () => {
    const alone = await stream(KEYS['tenant-a'], 'solo-run');
    assert.equal(alone.error, undefined, alone.error?.details);
    assert.ok(finals(alone).length >= 2, `baseline finals: ${finals(alone).join(' | ')}`);
    // Same audio, same pace, same session id: every segment starts at the same ms in both streams, which
    // is exactly when per-session keys would collide.
    const [a, b] = await Promise.all([
      stream(KEYS['tenant-a'], 'shared-id'),
      stream(KEYS['tenant-b'], 'shared-id'),
    ]);
    for (const [name, o] of [
      ['A', a],
      ['B', b],
    ] as const) {
      assert.equal(o.error, undefined, `${name}: ${o.error?.details}`);
      assert.deepEqual(warnings(o), [], `${name} lost no segment`);
      assert.deepEqual(finals(o), finals(alone), `${name} got its own transcripts, complete`);
    }
  });

  it("B's key never reaches A's session over REST, the WebSocket feed or the overlay", async () => {
    const a = await stream(KEYS['tenant-a'], 'a-private', 0);
    assert.equal(a.error, undefined, a.error?.details);
    const started: StreamResponse__Output['started'] | undefined = a.responses[0].started ?? undefined;
    assert.ok(started?.overlayUrl, 'A got an overlay link');
    const get = (path: string, key: string) =>
      fetch(`${stack.httpUrl}${path}`, { headers: { authorization: `Bearer ${key}` } });

    const own = await get('/v1/sessions/a-private', KEYS['tenant-a']);
    assert.equal(own.status, 200, 'A sees its own session');
    const other = await get('/v1/sessions/a-private', KEYS['tenant-b']);
    assert.equal(other.status, 404, "B cannot see A's session");
    const listB = (await (await get('/v1/sessions?include_ended=true', KEYS['tenant-b'])).json()) as unknown;
    assert.ok(!JSON.stringify(listB).includes('a-private'), "A's session is not in B's list");

    // B's WebSocket feed for A's session id: a channel of B's own, with none of A's history.
    const wsUrl = `${stack.httpUrl.replace('http', 'ws')}/v1/sessions/a-private/feed`;
    const frames = await new Promise<string[]>((resolve, reject) => {
      const got: string[] = [];
      const ws = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${KEYS['tenant-b']}` } });
      ws.on('message', (m) => got.push(String(m)));
      ws.on('error', reject);
      ws.on('open', () => setTimeout(() => (ws.close(), resolve(got)), 500));
    });
    assert.equal(frames.length, 1, `only the hello frame: ${frames.join(' | ')}`);
    assert.match(frames[0], /"session":"waiting"/);

    // A's overlay token does not open the same session id for anyone else, nor another session id.
    const overlay = new URL(started!.overlayUrl);
    const token = overlay.searchParams.get('token')!;
    const events = await fetch(
      `${stack.httpUrl}/overlay/b-session/events?token=${encodeURIComponent(token)}`,
    );
    assert.equal(events.status, 401, "A's token is bound to A's session");
    await events.body?.cancel();
  });
});
