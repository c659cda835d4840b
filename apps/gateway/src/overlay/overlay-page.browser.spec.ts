import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Browser, Page } from 'playwright-core';
import { startRedisServer, type RedisServer } from '@olt/devkit';
import { ConfigModule, RedisModule, type StreamResponse } from '@olt/shared';
import WebSocket from 'ws';
import { SubtitleFeed } from '../feed';
import { FeedWebSocketServer } from '../rest/feed-websocket.server';
import { ApiKeyAuthenticator } from '../tenancy/api-key-authenticator';
import { artifactPath, launchChromium, needsChromium, paintBusyBackground } from './overlay-browser.testing';
import { OverlayLinks } from './overlay-links';
import { OverlayModule } from './overlay.module';

/* Browser globals used inside page.evaluate callbacks, which run in Chromium (the gateway compiles without
   the DOM lib). */
/* eslint-disable-next-line @typescript-eslint/no-explicit-any */
declare const document: any, getComputedStyle: (el: unknown) => any;

/**
 * The overlay page in real headless Chromium, served by the real OverlayController over HTTP, fed by
 * publishing into the real SubtitleFeed (what the stream session does). The e2e spec covers the same page
 * behind a full stack with audio streamed over gRPC.
 */
/** The test module, on a queue Redis of its own (the feed's state lives there, as in production). */
function overlayPageTestModule(queueUrl: string): new () => object {
  @Module({
    imports: [
      ConfigModule.forRoot({
        watch: false,
        env: {},
        overrides: {
          overlay: { tokenSecret: 'overlay-page-spec-secret', keepaliveS: 1 },
          redis: { queueUrl },
        },
      }),
      RedisModule.forRoot({ roles: ['queue'] }),
      OverlayModule,
    ],
    // The WebSocket feed (overlay token or API key) on the same HTTP server.
    providers: [FeedWebSocketServer, ApiKeyAuthenticator],
  })
  class OverlayPageTestModule {}
  return OverlayPageTestModule;
}

const TENANT = 'acme';

describe(
  'overlay page in headless Chromium',
  { skip: needsChromium('overlay page in headless Chromium') },
  () => {
    let app: INestApplication;
    let base: string;
    let feed: SubtitleFeed;
    let links: OverlayLinks;
    let browser: Browser;
    let sessionCounter = 0;

    let redis: RedisServer;

    before(async () => {
      redis = await startRedisServer({ policy: 'noeviction', name: 'overlay-page' });
      app = await NestFactory.create(overlayPageTestModule(redis.url), { logger: false });
      await app.listen(0, '127.0.0.1');
      const address = (app.getHttpServer() as Server).address();
      base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      feed = app.get(SubtitleFeed);
      links = app.get(OverlayLinks);
      browser = await launchChromium();
    });

    after(async () => {
      await browser?.close();
      await app?.close();
      await redis?.stop();
    });

    /** A fresh session id and the overlay URL (on this test server) with extra parameters. */
    function overlayFor(params: Record<string, string> = {}): { sessionId: string; url: string } {
      const sessionId = `page-${++sessionCounter}`;
      const url = new URL(links.overlayUrlFor(sessionId, TENANT).replace(/^https?:\/\/[^/]+/, base));
      for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
      return { sessionId, url: url.toString() };
    }

    async function open(url: string, viewport = { width: 1280, height: 720 }): Promise<Page> {
      const page = await browser.newPage({ viewport });
      await page.goto(url);
      await page.waitForSelector('html[data-feed="open"]');
      return page;
    }

    const publish = (sessionId: string, response: StreamResponse) =>
      feed.publish(sessionId, response, TENANT);
    const started = (sessionId: string): StreamResponse => ({
      started: { sessionId, overlayUrl: '', serverTimeMs: 0 },
    });
    const transcript = (
      segmentId: string,
      revision: number,
      isFinal: boolean,
      text: string,
      language = 'en',
    ) => ({
      transcript: { segmentId, revision, isFinal, text, language, startMs: 0, endMs: 1000 },
    });
    const translation = (
      segmentId: string,
      targetLanguage: string,
      text: string,
      isFinal = true,
      revision = 1,
    ) => ({
      translation: { segmentId, revision, targetLanguage, text, isFinal, fromCache: false },
    });

    it('shows interim text styled apart, replaces it by the final, and applies the styling parameters', async () => {
      const { sessionId, url } = overlayFor({
        langs: 'orig',
        size: '60',
        color: 'ffee00',
        interim_color: '8080ff',
        outline: '4',
        outline_color: 'ff0000',
        position: 'top',
        max_width: '50',
        font: 'DejaVu Sans',
      });
      const page = await open(url);
      publish(sessionId, started(sessionId));
      publish(sessionId, transcript(`${sessionId}:0`, 1, false, 'hello wor'));
      const interim = page.locator('.olt-line.olt-interim');
      await interim.waitFor();
      assert.equal(await interim.textContent(), 'hello wor');
      const interimStyle = await interim.evaluate((el) => {
        const s = getComputedStyle(el);
        return { color: s.color, fontStyle: s.fontStyle };
      });
      assert.deepEqual(interimStyle, { color: 'rgb(128, 128, 255)', fontStyle: 'italic' });

      publish(sessionId, transcript(`${sessionId}:0`, 2, true, 'hello world'));
      const final = page.locator('.olt-line.olt-final');
      await final.waitFor();
      assert.equal(await page.locator('.olt-line').count(), 1, 'the final replaced the interim line');
      const style = await final.evaluate((el) => {
        const s = getComputedStyle(el);
        const box = document.getElementById('subs')!.getBoundingClientRect();
        return {
          text: el.textContent,
          color: s.color,
          fontStyle: s.fontStyle,
          fontSize: s.fontSize,
          fontFamily: s.fontFamily,
          textShadow: s.textShadow,
          top: box.top,
          width: box.width,
        };
      });
      assert.equal(style.text, 'hello world');
      assert.equal(style.color, 'rgb(255, 238, 0)');
      assert.equal(style.fontStyle, 'normal');
      assert.equal(style.fontSize, '60px');
      assert.match(style.fontFamily, /DejaVu Sans/);
      assert.match(style.textShadow, /rgb\(255, 0, 0\) 4px 0px 0px/, 'outline in the outline colour');
      assert.ok(style.top < 720 * 0.2, `position=top puts the text near the top (top=${style.top})`);
      assert.equal(Math.round(style.width), 640, 'max_width=50 → half the viewport');
      await page.close();
    });

    it('renders Arabic right to left and Japanese with real glyph boxes', async () => {
      const { sessionId, url } = overlayFor({ langs: 'ar,ja', size: '48' });
      const page = await open(url);
      publish(sessionId, started(sessionId));
      publish(sessionId, transcript(`${sessionId}:0`, 1, true, 'welcome to the stream'));
      publish(sessionId, translation(`${sessionId}:0`, 'ar', 'مرحبا بكم في البث'));
      publish(sessionId, translation(`${sessionId}:0`, 'ja', 'ストリームへようこそ'));
      await page.waitForSelector('.olt-lang[data-lang="ja"] .olt-line');
      const layout = await page.evaluate(() => {
        const measure = (lang: string) => {
          const el = document.querySelector(`.olt-lang[data-lang="${lang}"] .olt-line`)!;
          const text = el.firstChild!;
          const charBox = (i: number) => {
            const range = document.createRange();
            range.setStart(text, i);
            range.setEnd(text, i + 1);
            return range.getBoundingClientRect();
          };
          const n = el.textContent!.length;
          const boxes = Array.from({ length: n }, (_, i) => charBox(i));
          return {
            lang: el.lang,
            direction: getComputedStyle(el).direction,
            first: boxes[0].left,
            last: boxes[n - 1].left,
            minWidth: Math.min(...boxes.filter((_, i) => el.textContent![i] !== ' ').map((b) => b.width)),
            order: Array.from(document.querySelectorAll('.olt-lang')).map((b) =>
              (b as { getAttribute(name: string): string }).getAttribute('data-lang'),
            ),
          };
        };
        return { ar: measure('ar'), ja: measure('ja') };
      });
      assert.deepEqual(layout.ar.order, ['ar', 'ja'], 'langs=ar,ja: only those, in that order');
      assert.equal(layout.ar.lang, 'ar');
      assert.equal(layout.ar.direction, 'rtl', 'dir=auto makes the Arabic line right-to-left');
      assert.ok(layout.ar.first > layout.ar.last, 'the first Arabic letter is on the right');
      assert.ok(layout.ar.minWidth > 0, 'every Arabic letter has a glyph box');
      assert.equal(layout.ja.direction, 'ltr');
      assert.ok(layout.ja.first < layout.ja.last);
      // Full-width kana: about 1em each; a missing font would still give boxes, so also check the width.
      assert.ok(
        layout.ja.minWidth > 48 * 0.6,
        `Japanese glyphs are full width (min ${layout.ja.minWidth}px)`,
      );
      await page.close();
    });

    it('fades out after the configured silence and comes back, without the old lines, on new text', async () => {
      const { sessionId, url } = overlayFor({ langs: 'orig', fade: '0.6', lines: '2' });
      const page = await open(url);
      publish(sessionId, transcript(`${sessionId}:0`, 1, true, 'before the pause'));
      await page.waitForSelector('.olt-line');
      await page.waitForSelector('#subs.olt-faded', { timeout: 3000 });
      publish(sessionId, transcript(`${sessionId}:1`, 1, true, 'after the pause'));
      await page.waitForSelector('#subs:not(.olt-faded) .olt-line');
      assert.deepEqual(await page.locator('.olt-line').allTextContents(), ['after the pause']);
      await page.close();
    });

    it('keeps the newest `lines` lines per language and shows the targets seen when langs is not set', async () => {
      const { sessionId, url } = overlayFor({ lines: '2' });
      const page = await open(url);
      publish(sessionId, transcript(`${sessionId}:0`, 1, true, 'one'));
      await page.waitForSelector('.olt-lang[data-lang="orig"]');
      for (const [i, es] of ['uno', 'dos', 'tres'].entries()) {
        publish(sessionId, translation(`${sessionId}:${i}`, 'es', es));
      }
      await page.waitForFunction(
        () => document.querySelectorAll('.olt-lang[data-lang="es"] .olt-line').length === 2,
      );
      assert.deepEqual(
        await page.locator('.olt-lang').evaluateAll((els) => els.map((e) => e.getAttribute('data-lang'))),
        ['es'],
      );
      assert.deepEqual(await page.locator('.olt-line').allTextContents(), ['dos', 'tres']);
      await page.close();
    });

    it('waits for a session that has not started, reconnects after the connection drops and catches up', async () => {
      const { sessionId, url } = overlayFor({ langs: 'orig', lines: '5' });
      const page = await open(url);
      assert.equal(await page.getAttribute('html', 'data-session'), 'waiting');
      publish(sessionId, started(sessionId));
      publish(sessionId, transcript(`${sessionId}:0`, 1, true, 'first'));
      await page.waitForSelector('html[data-session="live"] .olt-line');

      // Drop every connection (a proxy restart); publish while the page is disconnected.
      (app.getHttpServer() as Server).closeAllConnections();
      await page.waitForSelector('html[data-feed="reconnecting"]');
      publish(sessionId, transcript(`${sessionId}:1`, 1, true, 'missed while away'));
      await page.waitForSelector('html[data-feed="open"]', { timeout: 10_000 });
      await page.waitForFunction(() => document.querySelectorAll('.olt-line').length === 2);
      assert.deepEqual(await page.locator('.olt-line').allTextContents(), ['first', 'missed while away']);
      await page.close();
    });

    it('says on the page that its link expired instead of retrying forever', async () => {
      const sessionId = `page-${++sessionCounter}`;
      const ttlS = 604800; // overlay.token_ttl_s default: issue the link so that it expires in 3 s
      const link = links.overlayUrlFor(sessionId, TENANT, Date.now() - (ttlS - 3) * 1000);
      const page = await open(link.replace(/^https?:\/\/[^/]+/, base));
      await new Promise((r) => setTimeout(r, 3500));
      (app.getHttpServer() as Server).closeAllConnections();
      await page.waitForSelector('html[data-feed="expired"]', { timeout: 15_000 });
      assert.match(await page.locator('#olt-expired').innerText(), /overlay link has expired/);
      await page.close();
    });

    it('answers a bad or expired token with 401 and a page that says why', async () => {
      const { url } = overlayFor();
      const tampered = url.replace(/token=([^&.]+)\.([^&]+)/, 'token=$1.AAAA$2');
      const res = await fetch(tampered);
      assert.equal(res.status, 401);
      assert.match(await res.text(), /overlay token signature is not valid/);
      const events = await fetch(tampered.replace(/\?/, '/events?'));
      assert.equal(events.status, 401);
      assert.equal(((await events.json()) as { error: { code: string } }).error.code, 'UNAUTHENTICATED');
      const noToken = await fetch(`${base}/overlay/anything`);
      assert.equal(noToken.status, 401);
      assert.match(await noToken.text(), /no token/);
      const badParam = await fetch(`${url}&position=middle`);
      assert.equal(badParam.status, 400);
      assert.match(await badParam.text(), /position=middle must be one of/);
    });

    it('offers the same feed over WebSocket at /overlay/:id/ws, with catch-up from ?after and 401 for a bad token', async () => {
      const { sessionId, url } = overlayFor();
      const wsUrl = url.replace(/^http/, 'ws').replace('?', '/ws?');
      publish(sessionId, started(sessionId));
      publish(sessionId, transcript(`${sessionId}:0`, 1, true, 'one'));
      publish(sessionId, transcript(`${sessionId}:1`, 1, true, 'two'));
      const receive = (target: string, count: number) =>
        new Promise<Array<{ type: string; text?: string; id?: string }>>((resolve, reject) => {
          const got: Array<{ type: string; text?: string; id?: string }> = [];
          const ws = new WebSocket(target);
          ws.on('message', (data) => {
            got.push(JSON.parse(String(data)));
            if (got.length === count) {
              ws.close();
              resolve(got);
            }
          });
          ws.once('error', reject);
        });
      const all = await receive(wsUrl, 4);
      assert.deepEqual(
        all.map((m) => m.text ?? m.type),
        ['hello', 'started', 'one', 'two'],
      );
      const resumed = receive(`${wsUrl}&after=${all[2].id}`, 3);
      const live = setTimeout(() => publish(sessionId, transcript(`${sessionId}:2`, 1, true, 'three')), 200);
      assert.deepEqual(
        (await resumed).map((m) => m.text ?? m.type),
        ['hello', 'two', 'three'],
      );
      clearTimeout(live);
      const status = await new Promise<number>((resolve) => {
        const ws = new WebSocket(wsUrl.replace(/token=[^&]+/, 'token=bad.token'));
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.once('open', () => resolve(101));
      });
      assert.equal(status, 401);
    });

    it('reads at 1920×1080 over a busy background: screenshot kept in test-artifacts/', async () => {
      const { sessionId, url } = overlayFor({ langs: 'orig,es,ar,ja', lines: '1' });
      const page = await open(url, { width: 1920, height: 1080 });
      await paintBusyBackground(page);
      publish(sessionId, started(sessionId));
      publish(
        sessionId,
        transcript(`${sessionId}:0`, 1, true, 'Welcome back, chat! Today we try the hardest level.'),
      );
      publish(
        sessionId,
        translation(`${sessionId}:0`, 'es', '¡Bienvenidos de nuevo! Hoy probamos el nivel más difícil.'),
      );
      publish(sessionId, translation(`${sessionId}:0`, 'ar', 'مرحبا بعودتكم! اليوم نجرب أصعب مستوى.'));
      publish(
        sessionId,
        translation(
          `${sessionId}:0`,
          'ja',
          'おかえり、みんな！今日は一番難しいステージに挑戦します。',
          false,
        ),
      );
      await page.waitForSelector('.olt-lang[data-lang="ja"] .olt-interim');
      const box = await page.locator('#subs').boundingBox();
      assert.ok(box && box.y + box.height <= 1080 && box.y + box.height > 1080 * 0.8, 'bottom of the screen');
      const file = artifactPath('overlay-bottom-1920x1080.png');
      await page.screenshot({ path: file });
      assert.ok(statSync(file).size > 50_000, 'a real screenshot was written');
      await page.close();
    });
  },
);
