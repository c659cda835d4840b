/**
 * The admin API over real HTTP: apps/cache runs as its own process (dist/main.js) against real Redis
 * servers, and every request goes through the token guard, validation and the error mapping a client sees.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { AppProcess, freePort, startRedisServer, type RedisServer } from '@olt/devkit';
import { translationCacheKey } from '@olt/shared';

const TOKEN = 'admin-api-spec-token';
const dir = mkdtempSync(join(tmpdir(), 'olt-cache-admin-'));
const servers: RedisServer[] = [];
let app: AppProcess;
let cache: Redis;
let base = '';

async function call(
  method: 'GET' | 'POST',
  path: string,
  opts: { token?: string | null; body?: string; contentType?: string } = {},
): Promise<{ status: number; json: Record<string, unknown>; text: string }> {
  const headers: Record<string, string> = {};
  if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? TOKEN}`;
  if (opts.body !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
  const res = await fetch(`${base}${path}`, { method, headers, body: opts.body });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // left empty: the tests that need JSON assert on it
  }
  return { status: res.status, json, text };
}

/** A 4xx whose body is JSON with a message a person can act on. */
function assertClientError(
  res: { status: number; json: Record<string, unknown>; text: string },
  status: number,
  message: RegExp,
) {
  assert.equal(res.status, status, res.text);
  assert.equal(typeof res.json.message, 'string', `JSON error body expected, got: ${res.text.slice(0, 200)}`);
  assert.match(String(res.json.message), message);
}

before(async () => {
  const queue = await startRedisServer({ policy: 'noeviction', name: 'admin-api-queue' });
  const cacheServer = await startRedisServer({ policy: 'allkeys-lfu', name: 'admin-api-cache' });
  servers.push(queue, cacheServer);
  cache = new Redis(cacheServer.url, { maxRetriesPerRequest: null });
  const port = await freePort();
  const config = join(dir, 'cache.toml');
  writeFileSync(
    config,
    [
      '[gateway]',
      'host = "127.0.0.1"',
      '[redis]',
      `queue_url = "${queue.url}"`,
      `cache_url = "${cacheServer.url}"`,
      '[cache_service]',
      `admin_port = ${port}`,
      `admin_token_sha256 = "${createHash('sha256').update(TOKEN).digest('hex')}"`,
      'warming_enabled = false',
    ].join('\n'),
  );
  app = new AppProcess({
    name: 'cache',
    label: 'cache-admin-spec',
    env: { OLT_CONFIG: config },
    logDir: dir,
  });
  base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (!app.running) throw new Error(`cache service exited:\n${app.recentOutput()}`);
    const ok = await fetch(`${base}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`cache service not healthy in 30 s:\n${app.recentOutput()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
});

after(async () => {
  await app?.stop();
  cache?.disconnect();
  await Promise.all(servers.map((s) => s.stop()));
});

describe('admin API token guard', () => {
  test('no Authorization header: 401 telling which header and setting to use', async () => {
    assertClientError(
      await call('GET', '/v1/admin/stats', { token: null }),
      401,
      /Authorization: Bearer .*admin_token_sha256/,
    );
  });

  test('a wrong token: 401 "wrong admin token", and nothing is deleted', async () => {
    const key = translationCacheKey('en', 'es', 'guarded', 'hello');
    await cache.set(key, 'hola');
    const res = await call('POST', '/v1/admin/invalidate', { token: 'not-it', body: '{"model":"guarded"}' });
    assertClientError(res, 401, /wrong admin token/);
    assert.equal(await cache.exists(key), 1);
  });

  test('metrics and health stay open (Prometheus and probes carry no token)', async () => {
    assert.equal((await call('GET', '/healthz', { token: null })).status, 200);
    const metrics = await call('GET', '/metrics', { token: null });
    assert.equal(metrics.status, 200);
    assert.match(metrics.text, /olt_cache_warmed_hits_total/);
  });
});

describe('admin API against real Redis', () => {
  test('stats report the server policy, keys and memory', async () => {
    await cache.set(translationCacheKey('en', 'fr', 'stats', 'one'), 'un');
    const res = await call('GET', '/v1/admin/stats');
    assert.equal(res.status, 200, res.text);
    const server = res.json.server as { policy: string; keys: number; usedMemoryBytes: number };
    assert.equal(server.policy, 'allkeys-lfu');
    assert.ok(server.keys >= 1);
    assert.ok(server.usedMemoryBytes > 0);
    assert.ok('hitRate' in (res.json.lookups as object));
  });

  test('invalidation by model, by tenant and by language pair deletes exactly that scope', async () => {
    const k = {
      oldModel: translationCacheKey('de', 'it', 'inv-old', 'a'),
      oldModelTenant: translationCacheKey('de', 'it', 'inv-old', 'a', 'g', 'acme'),
      acme: translationCacheKey('de', 'pt', 'inv-new', 'b', 'g', 'acme'),
      globex: translationCacheKey('de', 'pt', 'inv-new', 'b', 'g', 'globex'),
      pair: translationCacheKey('de', 'nl', 'inv-new', 'c'),
      otherPair: translationCacheKey('nl', 'de', 'inv-new', 'c'),
    };
    for (const key of Object.values(k)) await cache.set(key, 'x');
    const exists = async () =>
      Object.fromEntries(
        await Promise.all(Object.entries(k).map(async ([n, key]) => [n, await cache.exists(key)])),
      );

    const byModel = await call('POST', '/v1/admin/invalidate', { body: '{"model":"inv-old"}' });
    assert.equal(byModel.status, 201, byModel.text);
    assert.deepEqual(byModel.json, { scope: 'model', pattern: 'tr:v1:*:*:inv-old:*', deleted: 2 });
    assert.deepEqual(await exists(), {
      oldModel: 0,
      oldModelTenant: 0,
      acme: 1,
      globex: 1,
      pair: 1,
      otherPair: 1,
    });

    const byTenant = await call('POST', '/v1/admin/invalidate', { body: '{"tenant":"acme"}' });
    assert.equal(byTenant.json.deleted, 1, byTenant.text);
    assert.deepEqual(await exists(), {
      oldModel: 0,
      oldModelTenant: 0,
      acme: 0,
      globex: 1,
      pair: 1,
      otherPair: 1,
    });

    const byPair = await call('POST', '/v1/admin/invalidate', { body: '{"src":"de","dst":"nl"}' });
    assert.equal(byPair.json.deleted, 1, byPair.text);
    assert.deepEqual(await exists(), {
      oldModel: 0,
      oldModelTenant: 0,
      acme: 0,
      globex: 1,
      pair: 0,
      otherPair: 1,
    });

    const metrics = (await call('GET', '/metrics')).text;
    assert.match(metrics, /olt_cache_invalidated_keys_total\{[^}]*scope="model"[^}]*\} 2/);
  });

  test('export then import round trip restores values, TTLs and the hottest first', async () => {
    const hot = translationCacheKey('en', 'ja', 'rt', 'thanks for the follow');
    const cold = translationCacheKey('en', 'ja', 'rt', 'once');
    await cache.set(hot, 'フォローありがとう', 'EX', 3600);
    await cache.set(cold, '一度');
    for (let i = 0; i < 100; i++) await cache.get(hot);
    const exported = await call('GET', '/v1/admin/hot-keys?limit=1000');
    assert.equal(exported.status, 200, exported.text);
    const entries = exported.json.entries as Array<{
      key: string;
      value: string;
      ttlS: number;
      freq: number;
    }>;
    const mine = entries.filter((e) => e.key.includes(':rt:'));
    assert.deepEqual(
      mine.map((e) => e.key),
      [hot, cold],
      'hottest first',
    );
    assert.ok(mine[0].ttlS > 3500 && mine[0].ttlS <= 3600, `ttl ${mine[0].ttlS}`);
    assert.equal(mine[1].ttlS, -1);

    await cache.del(hot, cold);
    const imported = await call('POST', '/v1/admin/hot-keys', { body: JSON.stringify({ entries: mine }) });
    assert.equal(imported.status, 201, imported.text);
    assert.deepEqual(imported.json, { loaded: 2 });
    assert.equal(await cache.get(hot), 'フォローありがとう');
    assert.ok((await cache.ttl(hot)) > 3500);
    assert.equal(await cache.ttl(cold), -1);
    // A second import changes nothing: entries already there (maybe newer) are never overwritten.
    await cache.set(cold, 'newer');
    const again = await call('POST', '/v1/admin/hot-keys', { body: JSON.stringify({ entries: mine }) });
    assert.deepEqual(again.json, { loaded: 0 });
    assert.equal(await cache.get(cold), 'newer');
  });
});

describe('bad input to the admin API gets a 4xx with a JSON message, never a 500', () => {
  const cases: Array<{
    name: string;
    method: 'GET' | 'POST';
    path: string;
    body?: string;
    contentType?: string;
    status: number;
    message: RegExp;
  }> = [
    {
      name: 'invalidation with no scope',
      method: 'POST',
      path: '/v1/admin/invalidate',
      body: '{}',
      status: 400,
      message: /send exactly one scope: \{"model": "…"\}, \{"tenant": "…"\} or \{"src": "…", "dst": "…"\}/,
    },
    {
      name: 'two scopes at once',
      method: 'POST',
      path: '/v1/admin/invalidate',
      body: '{"model":"m","tenant":"t"}',
      status: 400,
      message: /send exactly one scope/,
    },
    {
      name: 'a glob in a model id',
      method: 'POST',
      path: '/v1/admin/invalidate',
      body: '{"model":"*"}',
      status: 400,
      message: /letters, digits/,
    },
    {
      name: 'a language pair missing dst',
      method: 'POST',
      path: '/v1/admin/invalidate',
      body: '{"src":"en"}',
      status: 400,
      message: /send exactly one scope/,
    },
    {
      name: 'malformed JSON',
      method: 'POST',
      path: '/v1/admin/invalidate',
      body: '{"model":',
      status: 400,
      message: /JSON/i,
    },
    {
      name: 'a JSON array instead of an object',
      method: 'POST',
      path: '/v1/admin/invalidate',
      body: '[1,2]',
      status: 400,
      message: /the body must be a JSON object/,
    },
    {
      name: 'a text body',
      method: 'POST',
      path: '/v1/admin/invalidate',
      body: 'model=m',
      contentType: 'text/plain',
      status: 400,
      message: /Content-Type: application\/json/,
    },
    {
      name: 'an export limit that is not a number',
      method: 'GET',
      path: '/v1/admin/hot-keys?limit=lots',
      status: 400,
      message: /limit must be an integer from 1 to 1000000/,
    },
    {
      name: 'an export limit of zero',
      method: 'GET',
      path: '/v1/admin/hot-keys?limit=0',
      status: 400,
      message: /limit must be an integer/,
    },
    {
      name: 'an import without entries',
      method: 'POST',
      path: '/v1/admin/hot-keys',
      body: '{}',
      status: 400,
      message: /entries/,
    },
    {
      name: 'an import of a key outside the translation cache',
      method: 'POST',
      path: '/v1/admin/hot-keys',
      body: '{"entries":[{"key":"olt:v1:sessions","value":"x","ttlS":1,"freq":1}]}',
      status: 400,
      message: /must be a translation cache key/,
    },
    {
      name: 'an import with a string TTL',
      method: 'POST',
      path: '/v1/admin/hot-keys',
      body: '{"entries":[{"key":"tr:v1:a","value":"x","ttlS":"1","freq":1}]}',
      status: 400,
      message: /ttlS/,
    },
    {
      name: 'an unknown admin route',
      method: 'GET',
      path: '/v1/admin/nothing-here',
      status: 404,
      message: /Cannot GET/,
    },
  ];
  for (const c of cases)
    test(c.name, async () => {
      assertClientError(
        await call(c.method, c.path, { body: c.body, contentType: c.contentType }),
        c.status,
        c.message,
      );
    });

  test('the service is still healthy after every bad request', async () => {
    assert.ok(app.running);
    assert.equal((await call('GET', '/v1/admin/stats')).status, 200);
  });
});
