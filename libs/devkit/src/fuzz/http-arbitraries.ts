import * as fc from 'fast-check';
import type { HttpInput } from './http-input';

/** What the HTTP generators aim at: the gateway's routes and a few valid credentials to get past auth. */
export interface HttpTargets {
  /** Route templates, `{name}` for a path parameter (from /docs-json plus the routes it does not list). */
  routes: Array<{ method: string; path: string }>;
  apiKey: string;
  liveSessionId: string;
  overlayToken: string;
}

const METHODS = [
  'GET',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'HEAD',
  'OPTIONS',
  'TRACE',
  'get',
  'FOO',
  'PROPFIND',
];

/** Percent-encodings that are invalid UTF-8, truncated, or decode to path or control characters. */
const BAD_ESCAPES = [
  '%E0%A4%A',
  '%',
  '%%',
  '%zz',
  '%00',
  '%2F',
  '%2e%2e',
  '..',
  '%C0%AF',
  '%FF%FE',
  '%ED%A0%80',
  '%u0041',
  '%0d%0aX-Injected:%201',
  '%F0%9F%98',
  'a%',
  '%E2%82%AC',
];

const bigString = (chars: string[], sizes: number[]) =>
  fc.tuple(fc.constantFrom(...chars), fc.constantFrom(...sizes)).map(([c, n]) => c.repeat(n));

function pathSegment(t: HttpTargets): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(t.liveSessionId) },
    { weight: 3, arbitrary: fc.constantFrom(...BAD_ESCAPES) },
    { weight: 2, arbitrary: fc.string({ maxLength: 24 }).map(encodeURIComponent) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
    { weight: 1, arbitrary: bigString(['a', '%41', '%E0'], [300, 4000, 9000, 70000]) },
    { weight: 1, arbitrary: fc.constantFrom('', '.', '%20', 'é', '\u0000', '__proto__', 'constructor') },
  );
}

function queryPair(t: HttpTargets): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constant(`token=${t.overlayToken}`),
    fc.constantFrom('token=', 'token=abc', 'token=%E0%A4%A', 'token[]=x', 'token[a]=b', 'token=a&token=b'),
    fc.constantFrom(
      'after=',
      'after=abc',
      'after=1-1',
      'after=-1--1',
      'after=99999999999999999999-9',
      'after=1e308-1',
      'after[]=1',
      'after=%E0',
    ),
    fc.constantFrom('all=1', 'all=true', 'all[]=1', 'all=1&all=0', 'all[x]=1'),
    fc
      .tuple(
        fc.constantFrom('langs', 'lines', 'fade', 'font', 'size', 'color', 'outline', 'interim', 'shadow'),
        fc.constantFrom('', '-1', '1e999', 'NaN', '0x10', '<script>', '%E0', 'a'.repeat(5000), 'es,es,es'),
      )
      .map(([k, v]) => `${k}=${v}`),
    fc.constantFrom(
      '__proto__[x]=1',
      'constructor[prototype][x]=1',
      'a[b][c][d][e][f][g][h]=1',
      '%E0%A4%A=1',
    ),
    fc.constantFrom(...Array.from({ length: 3 }, (_, i) => 'x=1&'.repeat(10 ** (i + 1)).slice(0, -1))),
    fc.string({ maxLength: 20 }).map((s) => `${encodeURIComponent(s)}=${encodeURIComponent(s)}`),
  );
}

function authHeader(t: HttpTargets): fc.Arbitrary<Array<[string, string]>> {
  return fc.constantFrom<Array<[string, string]>>(
    [],
    [['Authorization', `Bearer ${t.apiKey}`]],
    [['Authorization', `Bearer ${t.apiKey}`]],
    [['Authorization', 'Bearer wrong-key']],
    [['Authorization', 'Bearer']],
    [['Authorization', 'Basic dXNlcjpwYXNz']],
    [['Authorization', `bearer  ${t.apiKey} `]],
    [
      ['Authorization', `Bearer ${t.apiKey}`],
      ['Authorization', 'Bearer wrong-key'],
    ],
    [['Authorization', `Bearer ${'k'.repeat(6000)}`]],
  );
}

function otherHeaders(): fc.Arbitrary<Array<[string, string]>> {
  const header = fc.oneof(
    fc
      .constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'application/json; charset=utf-16',
        'application/json; charset=koi8-r',
        'application/json; charset=bogus',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/octet-stream',
        '',
        'application/json;;;',
      )
      .map((v): [string, string] => ['Content-Type', v]),
    fc
      .constantFrom('gzip', 'deflate', 'br', 'identity', 'x-unknown', 'gzip, gzip', 'zstd')
      .map((v): [string, string] => ['Content-Encoding', v]),
    fc
      .constantFrom(
        'bytes=0-10',
        'bytes=999999999-',
        'bytes=5-1',
        'bytes=-0',
        'bytes=0-0,1-1,2-2,3-3,4-4,5-5',
        'bytes=abc',
        'lines=1-2',
        'bytes=-99999999999999999999',
      )
      .map((v): [string, string] => ['Range', v]),
    fc
      .constantFrom('text/event-stream', '*/*', 'application/xml', '', 'text/html;q=abc')
      .map((v): [string, string] => ['Accept', v]),
    fc.constantFrom('gzip', 'br', 'x;q=2', '*').map((v): [string, string] => ['Accept-Encoding', v]),
    fc
      .constantFrom('', 'abc', '1-1', '-1--1', '99999999999999999999-1', '%E0')
      .map((v): [string, string] => ['Last-Event-ID', v]),
    fc.constantFrom('100-continue', 'nonsense').map((v): [string, string] => ['Expect', v]),
    fc.constantFrom('a'.repeat(8000), 'a'.repeat(20000)).map((v): [string, string] => ['X-Big', v]),
    fc.constantFrom('\u00e9\u00ff', 'a\u0000b', ' leading').map((v): [string, string] => ['X-Odd', v]),
    fc.constantFrom('If-None-Match', 'If-Modified-Since').map((n): [string, string] => [n, 'garbage']),
  );
  return fc.array(header, { maxLength: 4 });
}

function deepJson(depth: number, open: string, close: string): string {
  return open.repeat(depth) + close.repeat(depth);
}

function jsonBody(t: HttpTargets): fc.Arbitrary<string> {
  const text = fc.oneof(
    fc.string({ maxLength: 40 }),
    bigString(['a', 'é', '\u0000', '🙂'], [5000, 70000, 400000]),
    fc.constantFrom(null, 1, true, [], {}).map((v) => v as unknown as string),
  );
  const langs = fc.oneof(
    fc.constant(['es']),
    fc.constantFrom(['xx'], [], ['es', 'es'], ['spa_Latn', 'fr', 'de'], ['__proto__'], [1, null]),
    fc
      .constantFrom(500, 5000, 50000)
      .map((n) => Array.from({ length: n }, (_, i) => ['es', 'fr', 'de'][i % 3])),
    fc.string({ maxLength: 10 }).map((s) => [s]),
  );
  const source = fc.constantFrom('en', '', 'auto', 'xx', 'en'.repeat(5000), '__proto__');
  return fc.oneof(
    fc
      .record({ text, sourceLanguage: source, targetLanguages: langs as fc.Arbitrary<unknown> })
      .map((o) => JSON.stringify(o)),
    fc.constant(JSON.stringify({ text: 'hello', sourceLanguage: 'en', targetLanguages: ['es'] })),
    fc.constantFrom(
      '{',
      '{"text":',
      'null',
      '[]',
      '"x"',
      '{"__proto__":{"polluted":1},"text":"a"}',
      '{"text":"a","text":"b"}',
      '{"text":"\\ud800"}',
      '\ufeff{"text":"bom"}',
      'NaN',
    ),
    fc.constantFrom(1000, 10000, 100000).map((d) => deepJson(d, '[', ']')),
    fc.constantFrom(1000, 20000).map((d) => '{"a":'.repeat(d) + '1' + '}'.repeat(d)),
    fc
      .constantFrom(2, 6)
      .map((mb) => JSON.stringify({ text: 'a'.repeat(mb << 20), targetLanguages: ['es'] })),
    fc.json({ maxDepth: 4 }),
    fc.constant(t.apiKey),
  );
}

function body(t: HttpTargets): fc.Arbitrary<Buffer> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant(Buffer.alloc(0)) },
    { weight: 5, arbitrary: jsonBody(t).map((s) => Buffer.from(s, 'utf8')) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)) },
    { weight: 1, arbitrary: jsonBody(t).map((s) => Buffer.from(s, 'utf16le')) },
  );
}

function fillRoute(template: string, t: HttpTargets): fc.Arbitrary<string> {
  const params = template.match(/\{[^}]+\}/g) ?? [];
  return fc
    .tuple(fc.array(pathSegment(t), { minLength: params.length, maxLength: params.length }), fc.nat(9))
    .map(([segments, suffix]) => {
      let i = 0;
      const path = template.replace(/\{[^}]+\}/g, () => segments[i++]!);
      return path + (['', '', '', '', '', '/', '//', '/..', '/%2e%2e/%2e%2e', '.json'][suffix] ?? '');
    });
}

function target(t: HttpTargets, path: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(path, fc.array(queryPair(t), { maxLength: 3 }), fc.boolean())
    .map(([p, q, bareQuestion]) => (q.length ? `${p}?${q.join('&')}` : bareQuestion ? `${p}?` : p));
}

function routeRequest(t: HttpTargets): fc.Arbitrary<HttpInput> {
  const route = fc.constantFrom(...t.routes);
  return route.chain((r) =>
    fc
      .record({
        method: fc.oneof(
          { weight: 3, arbitrary: fc.constant(r.method) },
          { weight: 2, arbitrary: fc.constantFrom(...METHODS) },
        ),
        target: target(t, fillRoute(r.path, t)),
        auth: authHeader(t),
        extra: otherHeaders(),
        body: body(t),
        chunked: fc.nat(15),
      })
      .map(({ method, target: tgt, auth, extra, body: b, chunked }): HttpInput => {
        const headers = [...auth, ...extra];
        if (chunked === 0) {
          // A chunk header that lies about its size.
          headers.push(['Transfer-Encoding', 'chunked']);
          b = Buffer.concat([Buffer.from('zz\r\n'), b, Buffer.from('\r\n0\r\n\r\n')]);
        }
        return { kind: 'request', route: r.path, method, target: tgt, headers, body: b };
      }),
  );
}

function randomPath(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(
      '*',
      '',
      'http://evil.example/x',
      '//',
      '/%',
      '/%E0%A4%A',
      '/\u00e9',
      '/..%2f..%2fetc/passwd',
    ),
    fc.string({ maxLength: 30 }).map((s) => `/${encodeURIComponent(s)}`),
    fc.constantFrom(20000, 70000).map((n) => `/${'a'.repeat(n)}`),
  );
}

/** WebSocket (and other) upgrade requests: the raw `upgrade` listener's inputs. */
export function upgradeRequest(t: HttpTargets): fc.Arbitrary<HttpInput> {
  const path = fc.oneof(
    ...['/v1/sessions/{id}/feed', '/overlay/{id}/ws', '/v1/sessions/{id}'].map((route) =>
      fillRoute(route, t).map((p) => ({ route, p })),
    ),
    randomPath().map((p) => ({ route: undefined, p })),
  );
  const wsHeaders = fc.constantFrom<Array<[string, string]>>(
    [
      ['Upgrade', 'websocket'],
      ['Connection', 'Upgrade'],
      ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
      ['Sec-WebSocket-Version', '13'],
    ],
    [
      ['Upgrade', 'websocket'],
      ['Connection', 'Upgrade'],
    ],
    [
      ['Upgrade', 'websocket'],
      ['Connection', 'Upgrade'],
      ['Sec-WebSocket-Key', 'not base64!'],
      ['Sec-WebSocket-Version', '8'],
    ],
    [
      ['Upgrade', 'h2c'],
      ['Connection', 'Upgrade, HTTP2-Settings'],
      ['HTTP2-Settings', 'AAMAAABkAARAAAAAAAIAAAAA'],
    ],
    [
      ['Upgrade', 'WebSocket'],
      ['Connection', 'keep-alive, Upgrade'],
      ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
      ['Sec-WebSocket-Version', '13'],
      ['Sec-WebSocket-Extensions', 'permessage-deflate; client_max_window_bits=99'],
    ],
  );
  return fc
    .record({
      method: fc.constantFrom('GET', 'GET', 'GET', 'POST'),
      path,
      query: target(t, fc.constant('')),
      ws: wsHeaders,
      auth: authHeader(t),
    })
    .map(({ method, path: { route, p }, query, ws, auth }) => ({
      kind: 'upgrade' as const,
      route,
      method,
      target: p + query,
      headers: [...ws, ...auth],
      body: Buffer.alloc(0),
    }));
}

function rawBytes(t: HttpTargets): fc.Arbitrary<HttpInput> {
  return fc
    .oneof(
      fc.uint8Array({ minLength: 1, maxLength: 2048 }).map((b) => Buffer.from(b)),
      fc
        .constantFrom(
          'GET / HTTP/9.9\r\n\r\n',
          'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello',
          'GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n',
          'GET\r\n\r\n',
          ' / HTTP/1.1\r\n\r\n',
          'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
          'GET /healthz HTTP/1.1\nHost: x\n\n',
          'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
          '\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03',
          `GET /v1/sessions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.apiKey}\r\n${'X: y\r\n'.repeat(3000)}\r\n`,
          `POST /v1/translate HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.apiKey}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n{}\r\n0\r\n\r\n`,
        )
        .map((s) => Buffer.from(s, 'latin1')),
      fc
        .tuple(fc.constantFrom('GET', 'POST'), fc.uint8Array({ maxLength: 64 }))
        .map(([m, junk]) =>
          Buffer.concat([
            Buffer.from(`${m} /`, 'latin1'),
            Buffer.from(junk),
            Buffer.from(' HTTP/1.1\r\n\r\n'),
          ]),
        ),
    )
    .map((bytes) => ({ kind: 'raw' as const, bytes }));
}

/** Every kind of hostile HTTP input, weighted towards requests that reach route handlers. */
export function httpInputArbitrary(t: HttpTargets): fc.Arbitrary<HttpInput> {
  return fc.oneof(
    { weight: 14, arbitrary: routeRequest(t) },
    { weight: 4, arbitrary: upgradeRequest(t) },
    { weight: 1, arbitrary: rawBytes(t) },
    {
      weight: 1,
      arbitrary: fc
        .record({ method: fc.constantFrom(...METHODS), target: randomPath(), auth: authHeader(t) })
        .map(
          ({ method, target: tgt, auth }): HttpInput => ({
            kind: 'request',
            method,
            target: tgt,
            headers: auth,
            body: Buffer.alloc(0),
          }),
        ),
    },
  );
}
