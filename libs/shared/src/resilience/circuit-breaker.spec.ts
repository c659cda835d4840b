import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { Metrics } from '../metrics';
import { breakerFromConfig } from './breaker-from-config';
import { GuardedTranslationCache } from './guarded-translation-cache';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function cacheBehindBreaker() {
  const metrics = new Metrics(new Registry(), 'test');
  let down = false;
  const store = new Map<string, string>();
  const calls = { get: 0 };
  const inner = {
    get: async (key: string) => {
      calls.get++;
      if (down) return new Promise<string | undefined>(() => undefined); // an outage: no answer at all
      return store.get(key);
    },
    set: async (key: string, text: string) =>
      void (down ? await new Promise(() => undefined) : store.set(key, text)),
  };
  const breaker = breakerFromConfig({
    name: 'cache',
    description: 'the translation cache Redis',
    timeoutMs: 50,
    resilience: {
      requestTimeoutMs: 1000,
      cacheTimeoutMs: 50,
      breakerErrorPercent: 50,
      breakerMinCalls: 3,
      breakerWindowMs: 10_000,
      breakerResetMs: 300,
    },
    metrics,
  });
  const open = async () => {
    const text = await metrics.registry.metrics();
    return Number(/olt_circuit_open\{breaker="cache",app="test"\} (\d)/.exec(text)?.[1]);
  };
  return {
    cache: new GuardedTranslationCache(inner, breaker),
    breaker,
    calls,
    open,
    setDown: (d: boolean) => (down = d),
  };
}

describe('the cache behind a circuit breaker', () => {
  it('degrades to "no cache" within the deadline, opens, fails fast, and closes again through a half-open probe', async () => {
    const c = cacheBehindBreaker();
    await c.cache.set('k', 'hola', 60);
    assert.equal(await c.cache.get('k'), 'hola');
    assert.equal(await c.open(), 0, 'the gauge exists before anything failed');

    c.setDown(true);
    const started = Date.now();
    assert.equal(await c.cache.get('k'), undefined, 'an outage is a miss');
    assert.ok(Date.now() - started < 1000, 'not a wait');
    await c.cache.get('k');
    await c.cache.set('k', 'x', 60); // a write is skipped, not an error
    assert.equal(c.breaker.state, 'open');
    assert.equal(await c.open(), 1);
    const callsWhenOpen = c.calls.get;
    assert.equal(await c.cache.get('k'), undefined);
    assert.equal(c.calls.get, callsWhenOpen, 'an open circuit does not call Redis');

    c.setDown(false);
    await sleep(400); // past breaker_reset_ms: the next call is the half-open probe
    assert.equal(await c.cache.get('k'), 'hola');
    assert.equal(c.breaker.state, 'closed');
    assert.equal(await c.open(), 0);
  });
});
