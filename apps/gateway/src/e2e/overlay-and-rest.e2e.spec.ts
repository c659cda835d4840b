import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import WebSocket from 'ws';
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
import { launchChromium, needsChromium } from '../overlay/overlay-browser.testing';
import { signOverlayToken } from '../overlay/overlay-token';

/* Browser global used inside page.evaluate callbacks (the gateway compiles without the DOM lib). */
/* eslint-disable-next-line @typescript-eslint/no-explicit-any */
declare const document: any;

const API_KEY = 'overlay-e2e-key';
const OTHER_KEY = 'overlay-e2e-other-key';
const TOKEN_SECRET = 'overlay-e2e-shared-secret';

interface FeedMessage {
  type: string;
  id?: string;
  seq?: number;
  segmentId?: string;
  isFinal?: boolean;
  text?: string;
  lang?: string;
}

/** Final transcripts and translations of a gRPC stream, as "<lang or orig>|<text>", in arrival order. */
function grpcFinals(responses: StreamResponse__Output[]): string[] {
  return responses.flatMap((r) => {
    if (r.transcript?.isFinal && r.transcript.text) return [`orig|${r.transcript.text}`];
    if (r.translation?.isFinal && r.translation.text)
      return [`${r.translation.targetLanguage}|${r.translation.text}`];
    return [];
  });
}

/**
 * The HTTP side of the gateway as a client sees it, with the whole stack running as processes (gateway,
 * ASR and translate workers, real Redis): REST with OpenAPI, the WebSocket feed, and the OBS overlay page
 * in headless Chromium showing what was streamed over gRPC.
 */
describe('overlay and REST API end to end', () => {
  let stack: LocalStack;
  let client: LiveTranslateClient;
  let http: string;

  before(async () => {
    stack = await startLocalStack({
      apiKeys: { e2e: API_KEY, other: OTHER_KEY },
      // A fixed secret, as several gateways would share: the test can sign overlay links itself and open
      // the page before the stream starts, like a streamer's OBS scene does.
      settings: {
        overlay: { token_secret: TOKEN_SECRET, keepalive_s: 1 },
        gateway: { drain_timeout_ms: 1000 },
      },
    });
    client = createLiveTranslateClient(stack.grpcAddress);
    http = stack.httpUrl;
  });

  after(async () => {
    client?.close();
    await stack?.stop();
  });

  const authed = (key = API_KEY) => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' });
  const postTranslate = (body: unknown, headers: Record<string, string> = authed()) =>
    fetch(`${http}/v1/translate`, {
      method: 'POST',
      headers,
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  describe('REST API', () => {
    it('serves the OpenAPI document at /docs-json listing every route, and Swagger UI at /docs', async () => {
      const res = await fetch(`${http}/docs-json`);
      assert.equal(res.status, 200);
      const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
      assert.match(doc.openapi, /^3\./);
      for (const [path, method] of [
        ['/v1/translate', 'post'],
        ['/v1/languages', 'get'],
        ['/v1/sessions', 'get'],
        ['/v1/sessions/{id}', 'get'],
        ['/v1/sessions/{id}/feed', 'get'],
        ['/overlay/{sessionId}', 'get'],
        ['/overlay/{sessionId}/events', 'get'],
      ]) {
        assert.ok(doc.paths[path]?.[method], `${method.toUpperCase()} ${path} is documented`);
      }
      const ui = await fetch(`${http}/docs`);
      assert.equal(ui.status, 200);
      assert.match(await ui.text(), /swagger-ui/i);
    });

    it('answers 401 with a JSON error without a key or with a wrong one', async () => {
      for (const [method, path] of [
        ['POST', '/v1/translate'],
        ['GET', '/v1/languages'],
        ['GET', '/v1/sessions'],
        ['GET', '/v1/sessions/x'],
      ]) {
        for (const headers of [{}, { authorization: 'Bearer nope' }] as Array<Record<string, string>>) {
          const res = await fetch(`${http}${path}`, { method, headers });
          assert.equal(res.status, 401, `${method} ${path} ${JSON.stringify(headers)}`);
          const body = (await res.json()) as { error: { code: string; message: string } };
          assert.equal(body.error.code, 'UNAUTHENTICATED');
          assert.match(body.error.message, /API key/);
        }
      }
    });

    it('POST /v1/translate gives what the TranslateText RPC gives', async () => {
      const res = await postTranslate({
        text: 'good morning chat',
        sourceLanguage: 'en',
        targetLanguages: ['es', 'fra_Latn'],
      });
      assert.equal(res.status, 200);
      const body = (await res.json()) as {
        sourceLanguage: string;
        translations: { targetLanguage: string; text: string }[];
      };
      assert.equal(body.sourceLanguage, 'en');
      assert.deepEqual(
        body.translations.map((t) => t.targetLanguage),
        ['es', 'fr'],
      );
      const rpc = await new Promise<{ translations: { targetLanguage: string; text: string }[] }>(
        (resolve, reject) =>
          client.translateText(
            { text: 'good morning chat', sourceLanguage: 'en', targetLanguages: ['es', 'fr'] },
            bearer(API_KEY),
            (err, r) => (err ? reject(err) : resolve(r!)),
          ),
      );
      assert.deepEqual(
        body.translations.map((t) => [t.targetLanguage, t.text]),
        rpc.translations.map((t) => [t.targetLanguage, t.text]),
      );
      assert.ok(body.translations.every((t) => t.text.length > 0));
    });

    it('answers bad input with 400 and a message that says what to fix', async () => {
      const cases: Array<[unknown, RegExp]> = [
        [{ text: '   ', sourceLanguage: 'en', targetLanguages: ['es'] }, /text is empty/],
        [{ text: 'hi', sourceLanguage: 'en', targetLanguages: ['esx'] }, /unknown target language "esx"/],
        [{ text: 'hi', sourceLanguage: 'auto', targetLanguages: ['es'] }, /sourceLanguage is required/],
        [{ text: 'hi', sourceLanguage: 'en', targetLanguages: [] }, /targetLanguages is empty/],
        [{ text: 'hi', sourceLanguage: 'en' }, /targetLanguages/],
        [{ text: 'hi', sourceLanguage: 'en', targetLanguages: ['es'], extra: 1 }, /extra/],
        ['{"text": ', /JSON|Unexpected|expected/i],
      ];
      for (const [body, message] of cases) {
        const res = await postTranslate(body);
        assert.equal(res.status, 400, JSON.stringify(body));
        const text = await res.text();
        const err = JSON.parse(text) as { error?: { code: string; message: string } };
        assert.equal(err.error?.code, 'INVALID_ARGUMENT', text);
        assert.match(err.error!.message, message);
      }
    });

    it('GET /v1/languages lists codes and what this deployment can translate into', async () => {
      const res = await fetch(`${http}/v1/languages`, { headers: authed() });
      assert.equal(res.status, 200);
      const { languages } = (await res.json()) as { languages: Array<Record<string, unknown>> };
      const es = languages.find((l) => l.code === 'es');
      assert.deepEqual(
        { floresCode: es?.floresCode, asrSource: es?.asrSource, mtTarget: es?.mtTarget },
        { floresCode: 'spa_Latn', asrSource: true, mtTarget: true },
      );
    });

    it('lists a live session, streams its subtitles over the WebSocket feed, and keeps tenants apart', async () => {
      const sessionId = 'rest-feed-e2e';
      const wsMessages: FeedMessage[] = [];
      const ws = new WebSocket(`${http.replace(/^http/, 'ws')}/v1/sessions/${sessionId}/feed`, {
        headers: { authorization: `Bearer ${API_KEY}` },
      });
      ws.on('message', (data) => wsMessages.push(JSON.parse(String(data)) as FeedMessage));
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));

      const refused = await new Promise<number>((resolve) => {
        const bad = new WebSocket(`${http.replace(/^http/, 'ws')}/v1/sessions/${sessionId}/feed`);
        bad.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        bad.once('open', () => resolve(101));
      });
      assert.equal(refused, 401, 'a WebSocket without a key is refused');

      const wav = readWav(speechFixture('hello.wav').path);
      let listedWhileLive: Promise<string[]> | undefined;
      const outcome = await streamAudio(client, {
        apiKey: API_KEY,
        config: {
          sessionId,
          audio: { encoding: 'LINEAR16', sampleRateHz: wav.sampleRate, channels: 1 },
          sourceLanguage: 'en',
          targetLanguages: ['es'],
        },
        pcm: wav.data,
        realtimeFactor: 4,
        onResponse: (r) => {
          if (r.transcript?.isFinal && !listedWhileLive) {
            listedWhileLive = fetch(`${http}/v1/sessions`, { headers: authed() })
              .then((res) => res.json() as Promise<{ sessions: Array<{ sessionId: string; state: string }> }>)
              .then((b) => b.sessions.map((s) => `${s.sessionId} ${s.state}`));
          }
        },
      });
      assert.equal(outcome.error, undefined, outcome.error?.details);
      assert.ok(listedWhileLive, 'a final transcript arrived');
      assert.ok(
        (await listedWhileLive).includes(`${sessionId} live`),
        'GET /v1/sessions lists the live session',
      );

      const expected = grpcFinals(outcome.responses);
      assert.ok(expected.length >= 2, 'hello.wav gives a final transcript and a translation');
      const deadline = Date.now() + 5000;
      const wsFinals = () =>
        wsMessages
          .filter((m) => m.isFinal && m.text)
          .map((m) => `${m.type === 'transcript' ? 'orig' : m.lang}|${m.text}`);
      while (wsFinals().length < expected.length && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(wsFinals(), expected, 'the WebSocket feed carries what the gRPC client got, in order');
      assert.equal(wsMessages[0].type, 'hello');
      assert.ok(
        wsMessages.slice(1).every((m, i, all) => i === 0 || m.seq! > all[i - 1].seq!),
        'sequence numbers increase',
      );
      ws.close();

      const status = await fetch(`${http}/v1/sessions/${sessionId}`, { headers: authed() });
      assert.equal(status.status, 200);
      const s = (await status.json()) as {
        sessionId: string;
        sourceLanguage: string;
        targetLanguages: string[];
        finals: number;
        overlayUrl: string;
      };
      assert.equal(s.sessionId, sessionId);
      assert.equal(s.sourceLanguage, 'en');
      assert.deepEqual(s.targetLanguages, ['es']);
      assert.equal(s.finals, expected.length);
      assert.equal(
        (await fetch(new URL(new URL(s.overlayUrl).pathname + new URL(s.overlayUrl).search, http))).status,
        200,
      );

      const other = await fetch(`${http}/v1/sessions/${sessionId}`, { headers: authed(OTHER_KEY) });
      assert.equal(other.status, 404, "another tenant does not see this tenant's session");
      assert.equal(((await other.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
    });
  });

  describe(
    'OBS overlay page (headless Chromium)',
    { skip: needsChromium('overlay e2e in headless Chromium') },
    () => {
      let browser: Browser;
      before(async () => {
        browser = await launchChromium();
      });
      after(async () => {
        await browser?.close();
      });

      it('shows the subtitles of audio streamed over gRPC, interims before their finals, and SessionStarted carries a working overlay_url', async (t) => {
        const sessionId = 'overlay-e2e';
        const token = signOverlayToken(
          { sessionId, tenantId: 'e2e', exp: Math.floor(Date.now() / 1000) + 600 },
          { id: 'k1', secret: Buffer.from(TOKEN_SECRET) },
        );
        const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
        // Opened before the stream starts, as OBS does; lines=10 and no fade so nothing leaves the screen.
        await page.goto(`${http}/overlay/${sessionId}?token=${token}&langs=orig,es&lines=10&fade=0`);
        await page.waitForSelector('html[data-feed="open"][data-session="waiting"]');
        // Record every line state the page shows, to check the order interim → final afterwards.
        await page.evaluate(() => {
          const log: string[] = [];
          (globalThis as unknown as { __lines: string[] }).__lines = log;
          new (
            globalThis as unknown as {
              MutationObserver: new (cb: () => void) => { observe(n: unknown, o: object): void };
            }
          ).MutationObserver(() => {
            for (const el of document.querySelectorAll('.olt-line')) {
              const entry = `${el.closest('.olt-lang').dataset.lang}|${el.dataset.segment}|${el.classList.contains('olt-final') ? 'final' : 'interim'}|${el.textContent}`;
              if (log[log.length - 1] !== entry && !log.includes(entry)) log.push(entry);
            }
          }).observe(document.getElementById('subs'), {
            childList: true,
            subtree: true,
            characterData: true,
          });
        });

        const wav = readWav(speechFixture('two-sentences.wav').path);
        const outcome = await streamAudio(client, {
          apiKey: API_KEY,
          config: {
            sessionId,
            audio: { encoding: 'LINEAR16', sampleRateHz: wav.sampleRate, channels: 1 },
            sourceLanguage: 'en',
            targetLanguages: ['es'],
            interimResults: true,
          },
          pcm: wav.data,
          realtimeFactor: 2,
        });
        assert.equal(outcome.error, undefined, outcome.error?.details);

        const finals = grpcFinals(outcome.responses);
        assert.ok(
          finals.filter((f) => f.startsWith('orig|')).length >= 2,
          'two spoken sentences, two finals',
        );
        const expectedLines = finals.map((f) => f.replace('|', '|final|'));
        await page
          .waitForFunction(
            (n: number) => document.querySelectorAll('.olt-line.olt-final').length >= n,
            finals.length,
            { timeout: 10_000 },
          )
          .catch(() => undefined);
        const shown = await page
          .locator('.olt-line')
          .evaluateAll((els) =>
            els.map((el) => `${el.closest('.olt-lang')!.getAttribute('data-lang')}|final|${el.textContent}`),
          );
        assert.deepEqual(
          [...shown].sort(),
          [...expectedLines].sort(),
          'the page shows every final transcript and translation the gRPC client received',
        );

        // Interims: every segment the gRPC client saw an interim for also showed one on the page, before its final.
        const log = await page.evaluate(() => (globalThis as unknown as { __lines: string[] }).__lines);
        const interimSegments = new Set(
          outcome.responses
            .filter((r) => r.transcript && !r.transcript.isFinal && r.transcript.text)
            .map((r) => r.transcript!.segmentId),
        );
        t.diagnostic(
          `segments with interim transcripts: ${interimSegments.size}; page states seen: ${log.length}`,
        );
        for (const segment of interimSegments) {
          const firstInterim = log.findIndex((l) => l.startsWith(`orig|${segment}|interim|`));
          const final = log.findIndex((l) => l.startsWith(`orig|${segment}|final|`));
          assert.ok(
            firstInterim >= 0 && final > firstInterim,
            `segment ${segment}: interim shown before final\n${log.join('\n')}`,
          );
        }

        // The link handed to the streaming client opens the same page.
        const overlayUrl = outcome.responses[0]?.started?.overlayUrl ?? '';
        assert.match(
          overlayUrl,
          new RegExp(`/overlay/${sessionId}\\?token=`),
          'SessionStarted.overlay_url is set',
        );
        const link = new URL(overlayUrl);
        const res = await fetch(new URL(link.pathname + link.search, http));
        assert.equal(res.status, 200);
        await page.close();
      });
    },
  );
});
