import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { startLocalStack, type LocalStack } from '@olt/devkit';
import { signOverlayToken } from '../overlay/overlay-token';

const KEY_A = 'hostile-key-tenant-a';
const KEY_B = 'hostile-key-tenant-b';
const TOKEN_SECRET = 'hostile-http-overlay-secret';

interface RawAnswer {
  status: number;
  body: string;
}

/** Sends bytes as they are (no client library normalises them) and reads the answer until close. */
function raw(port: number, request: string | Buffer): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    const timer = setTimeout(() => socket.destroy(), 3000);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
  });
}

const get = (path: string, headers = '') =>
  `GET ${path} HTTP/1.1\r\nHost: t\r\n${headers}Connection: close\r\n\r\n`;
const post = (path: string, body: string, headers: string) =>
  `POST ${path} HTTP/1.1\r\nHost: t\r\n${headers}Content-Length: ${Buffer.byteLength(body)}\r\n` +
  `Connection: close\r\n\r\n${body}`;
const auth = (key = KEY_A) => `Authorization: Bearer ${key}\r\n`;
const json = 'Content-Type: application/json\r\n';
const upgrade = (path: string, headers = '') =>
  `GET ${path} HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${headers}\r\n`;

/**
 * The public HTTP listener of a real gateway process, attacked as an outsider would: every malformed
 * request gets a 4xx with the JSON error body (never a 500, never a dead process), viewers are capped per
 * session and tenant, /metrics is only on the admin port, and no credential reaches the log.
 */
describe('hostile HTTP input against a running gateway', () => {
  let stack: LocalStack;
  let port: number;
  const overlayToken = (sessionId: string, tenantId = 'a') =>
    signOverlayToken(
      { sessionId, tenantId, exp: Math.floor(Date.now() / 1000) + 3600 },
      { id: 'k1', secret: Buffer.from(TOKEN_SECRET) },
    );

  before(async () => {
    // No workers: nothing here needs ASR or translation, only the gateway's HTTP surfaces.
    stack = await startLocalStack({
      apiKeys: { a: KEY_A, b: KEY_B },
      asrWorkers: 0,
      translateWorkers: 0,
      waitForReady: false,
      settings: {
        overlay: { token_secret: TOKEN_SECRET, keepalive_s: 1 },
        limits: { max_feed_subscribers_per_session: 2, max_feed_subscribers_per_tenant: 3 },
        gateway: { max_http_body_bytes: 65536 },
      },
    });
    port = Number(new URL(stack.httpUrl).port);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if ((await fetch(`${stack.httpUrl}/healthz`).catch(() => undefined))?.ok) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`gateway did not answer /healthz:\n${stack.gateway.recentOutput()}`);
  });

  after(async () => {
    await stack?.stop();
  });

  const assertAlive = async () => {
    assert.ok(stack.gateway.running, `gateway exited:\n${stack.gateway.recentOutput()}`);
    assert.equal((await fetch(`${stack.httpUrl}/healthz`)).status, 200);
  };

  it('a WebSocket upgrade with a malformed percent-encoding is refused with 400 and the process lives', async () => {
    for (const path of [
      '/v1/sessions/%E0%A4%A/feed',
      `/overlay/%E0%A4%A/ws?token=x`,
      '/v1/sessions/%/feed',
    ]) {
      const answer = await raw(port, upgrade(path, auth()));
      assert.equal(answer.status, 400, `${path}: ${answer.body}`);
      assert.match(answer.body, /"code":"INVALID_ARGUMENT"/);
    }
    // Garbage and broken handshakes on the upgrade path, and a client that resets mid-handshake.
    assert.equal((await raw(port, upgrade('/v1/sessions/s/feed?token=a&token=b', auth()))).status, 400);
    assert.equal((await raw(port, upgrade('/nowhere'))).status, 404);
    // A target that a URL parser would read as a host name ("//") is a path here, not a 500.
    for (const path of ['//', '//evil.example/x', '//?x=1']) {
      const answer = await raw(port, upgrade(path, auth()));
      assert.ok(answer.status >= 400 && answer.status < 500, `${path}: ${answer.status} ${answer.body}`);
    }
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(upgrade('/v1/sessions/s/feed', auth()).slice(0, 60));
        socket.resetAndDestroy();
        resolve();
      });
    });
    await assertAlive();
  });

  it('HEAD on a live feed answers its headers at once instead of holding the request open', async () => {
    for (const path of ['/v1/sessions/waiting-session/feed']) {
      const answer = await raw(
        port,
        `HEAD ${path} HTTP/1.1\r\nHost: t\r\n${auth()}Connection: close\r\n\r\n`,
      );
      assert.equal(answer.status, 200, path);
    }
    const token = encodeURIComponent(overlayToken('waiting-session'));
    const overlay = await raw(
      port,
      `HEAD /overlay/waiting-session/events?token=${token} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`,
    );
    assert.equal(overlay.status, 200);
    await assertAlive();
  });

  it('malformed requests get a 4xx with the JSON error body, none a 500', async () => {
    const deepJson = `{"text":${'['.repeat(30000)}${']'.repeat(30000)},"sourceLanguage":"en","targetLanguages":["es"]}`;
    const cases: Array<[string, string | Buffer, number]> = [
      ['body too large', post('/v1/translate', `{"text":"${'a'.repeat(70000)}"}`, auth() + json), 413],
      [
        'unsupported charset',
        post('/v1/translate', '{}', `${auth()}Content-Type: application/json; charset=latin9\r\n`),
        415,
      ],
      [
        'unsupported Content-Encoding',
        post('/v1/translate', '{}', `${auth()}${json}Content-Encoding: zstd-of-the-future\r\n`),
        415,
      ],
      ['bad gzip body', post('/v1/translate', 'not gzip', `${auth()}${json}Content-Encoding: gzip\r\n`), 400],
      ['bad JSON', post('/v1/translate', '{"text":', auth() + json), 400],
      ['deep JSON', post('/v1/translate', deepJson, auth() + json), 400],
      ['JSON that is no object', post('/v1/translate', '"text"', auth() + json), 400],
      ['bad JSON before auth', post('/v1/translate', '{"text":', json), 400],
      ['repeated after (SSE)', get('/v1/sessions/s/feed?after=1&after=2', auth()), 400],
      ['repeated token (overlay SSE)', get('/overlay/s/events?token=a&token=b'), 400],
      ['repeated token (overlay page)', get('/overlay/s?token=a&token=b'), 400],
      ['repeated all', get('/v1/sessions?all=1&all=0', auth()), 400],
      ['malformed percent-encoding in a REST path', get('/v1/sessions/%E0%A4%A', auth()), 400],
      ['malformed percent-encoding in the overlay path', get('/overlay/%E0%A4%A/events?token=x'), 400],
      ['malformed percent-encoding under /docs', get('/docs/%E0%A4%A'), 400],
      ['unsatisfiable Range on /docs', get('/docs/swagger-ui.css', 'Range: bytes=99999999999-1\r\n'), 416],
      ['overlong URL', get(`/v1/sessions?x=${'a'.repeat(20000)}`), 431],
      ['overlong header', get('/healthz', `X-Big: ${'b'.repeat(20000)}\r\n`), 431],
      ['garbage bytes', Buffer.from([0, 1, 2, 3, 13, 10, 13, 10]), 400],
    ];
    const failures: string[] = [];
    for (const [name, request, status] of cases) {
      const answer = await raw(port, request);
      if (answer.status !== status || !/"error":\{"code":"[A-Z_]+","message":"[^"]+/.test(answer.body))
        failures.push(`${name}: expected ${status}, got ${answer.status} ${answer.body.slice(0, 200)}`);
    }
    assert.deepEqual(failures, []);
    await assertAlive();
  });

  it('caps feed viewers per session and per tenant (SSE and WebSocket together) with a 429', async () => {
    const open: Array<{ close(): void }> = [];
    const sse = async (path: string, headers: Record<string, string> = {}) => {
      const controller = new AbortController();
      const res = await fetch(`${stack.httpUrl}${path}`, { headers, signal: controller.signal });
      open.push({ close: () => controller.abort() });
      return res;
    };
    const ws = (path: string, headers: Record<string, string> = {}) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(`${stack.httpUrl.replace('http', 'ws')}${path}`, { headers });
        open.push({ close: () => socket.terminate() });
        socket.once('open', () => resolve(101));
        socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        socket.once('error', () => resolve(0));
      });
    try {
      const bearerA = { authorization: `Bearer ${KEY_A}` };
      assert.equal((await sse('/v1/sessions/cap-1/feed', bearerA)).status, 200);
      assert.equal(await ws(`/overlay/cap-1/ws?token=${overlayToken('cap-1')}`), 101);
      const third = await sse(`/overlay/cap-1/events?token=${overlayToken('cap-1')}`);
      assert.equal(third.status, 429, 'a third viewer of one session');
      assert.match(((await third.json()) as { error: { message: string } }).error.message, /per_session/);
      assert.equal(await ws('/v1/sessions/cap-1/feed', bearerA), 429);

      assert.equal((await sse('/v1/sessions/cap-2/feed', bearerA)).status, 200);
      const overTenant = await sse('/v1/sessions/cap-3/feed', bearerA);
      assert.equal(overTenant.status, 429, 'a fourth viewer of the tenant');
      assert.match(((await overTenant.json()) as { error: { message: string } }).error.message, /per_tenant/);
      assert.equal(
        (await sse('/v1/sessions/cap-1/feed', { authorization: `Bearer ${KEY_B}` })).status,
        200,
        'another tenant is not limited by tenant a',
      );

      // Closing a viewer frees its slot.
      open[0].close();
      const deadline = Date.now() + 5000;
      let status = 0;
      while (Date.now() < deadline && status !== 200) {
        status = (await sse('/v1/sessions/cap-3/feed', bearerA)).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(status, 200, 'a slot comes back when a viewer leaves');

      // The caps are reloadable: raising them admits the next viewer without a restart.
      const file = readFileSync(stack.configFile, 'utf8');
      writeFileSync(
        stack.configFile,
        file
          .replace('max_feed_subscribers_per_session = 2', 'max_feed_subscribers_per_session = 10')
          .replace('max_feed_subscribers_per_tenant = 3', 'max_feed_subscribers_per_tenant = 10'),
      );
      const reloadDeadline = Date.now() + 5000;
      status = 0;
      while (Date.now() < reloadDeadline && status !== 200) {
        status = (await sse('/v1/sessions/cap-1/feed', bearerA)).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(status, 200, 'the raised cap applies after a reload');
    } finally {
      for (const o of open) o.close();
    }
    await assertAlive();
  });

  it('serves /metrics on the admin port only; probes on both', async () => {
    assert.equal((await fetch(`${stack.httpUrl}/metrics`)).status, 404);
    assert.equal((await fetch(`${stack.adminUrl}/healthz`)).status, 200);
    assert.ok([200, 503].includes((await fetch(`${stack.adminUrl}/readyz`)).status));
    const metrics = await (await fetch(`${stack.adminUrl}/metrics`)).text();
    assert.match(metrics, /olt_unexpected_errors_total\{surface="http",app="gateway"\} 0/);
    // Every malformed input above was the client's fault: none counted as an unexpected error.
    for (const surface of ['http', 'ws', 'sse', 'process'])
      assert.match(
        metrics,
        new RegExp(`olt_unexpected_errors_total\\{surface="${surface}",app="gateway"\\} 0`),
      );
  });

  it('logs requests refused before auth, and never a token or key', async () => {
    const token = overlayToken('log-1');
    await fetch(`${stack.httpUrl}/overlay/log-1?token=${token}`);
    await fetch(`${stack.httpUrl}/overlay/log-1/events?token=${token}&token=${token}`);
    await raw(port, upgrade(`/overlay/%E0/ws?token=${token}`));
    await fetch(`${stack.httpUrl}/v1/translate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY_B}`, 'content-type': 'application/json; charset=latin9' },
      body: '{}',
    });
    await new Promise((r) => setTimeout(r, 300));
    const log = readFileSync(join(stack.logDir, `${stack.gateway.opts.label}.log`), 'utf8');
    for (const secret of [token, token.split('.')[1], KEY_A, KEY_B])
      assert.ok(!log.includes(secret), `the log contains a secret: ${secret.slice(0, 12)}…`);
    const lines = log
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const refused = lines.filter((l) => /refused/.test(String(l.msg)));
    assert.ok(
      refused.some((l) => l.status === 415 && typeof l.requestId === 'string'),
      'a 415 before auth is logged with its request id',
    );
    assert.ok(refused.some((l) => l.status === 413));
    assert.ok(refused.some((l) => l.upgrade === 'websocket' && l.status === 400));
    assert.ok(
      lines.some((l) => /token=\[redacted\]/.test(JSON.stringify(l))),
      'overlay URLs are logged with the token replaced',
    );
  });
});
