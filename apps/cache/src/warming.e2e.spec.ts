/**
 * Warming through the whole stack (gateway, translate worker, cache service, two Redis): a routine said
 * cycle after cycle to a new target language gets its next phrases translated before they are asked for,
 * and real jobs of another tenant, running beside the warming jobs, are not held up by them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bearer, createLiveTranslateClient, startLocalStack, type LocalStack } from '@olt/devkit';
import type { LiveTranslateClient } from '@olt/shared';

const ROUTINE = [
  'welcome back everyone',
  'thanks for the follow',
  'lets get into it',
  'chat is this real',
  'see you next time',
];
const TARGETS = ['es', 'fr', 'de', 'it'];
const SPACING_MS = 250;

interface Answer {
  ms: number;
  fromCache: boolean;
  error?: string;
}

let stack: LocalStack;
let client: LiveTranslateClient;
const routine: Answer[][] = [];
const fresh: Answer[][] = [];

function call(key: string, text: string, target: string): Promise<Answer> {
  return new Promise((resolve) => {
    const started = performance.now();
    client.translateText({ text, sourceLanguage: 'en', targetLanguages: [target] }, bearer(key), (err, res) =>
      resolve({
        ms: performance.now() - started,
        fromCache: res?.translations?.[0]?.fromCache ?? false,
        error: err?.message,
      }),
    );
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

before(async () => {
  stack = await startLocalStack({
    asrWorkers: 0,
    apiKeys: { routine: 'routine-key', fresh: 'fresh-key' },
    cacheService: { warming: true },
    settings: { cache_service: { warming_prior_observations: 1 } },
  });
  client = createLiveTranslateClient(stack.grpcAddress);
  for (const [c, target] of TARGETS.entries()) {
    const r: Promise<Answer>[] = [];
    const f: Promise<Answer>[] = [];
    for (const [k, text] of ROUTINE.entries()) {
      r.push(call('routine-key', text, target));
      await new Promise((done) => setTimeout(done, SPACING_MS));
      // Another tenant's new lines: always misses, real jobs beside whatever warming runs.
      f.push(call('fresh-key', `a line never said before ${c}.${k}`, target));
      await new Promise((done) => setTimeout(done, SPACING_MS));
    }
    routine.push(await Promise.all(r));
    fresh.push(await Promise.all(f));
  }
});

after(async () => {
  client?.close();
  await stack?.stop();
});

describe('cache warming in the local stack', () => {
  test('every call succeeds', () => {
    const errors = [...routine.flat(), ...fresh.flat()].filter((a) => a.error);
    assert.deepEqual(errors, []);
  });

  test('once the routine is learned, its next phrases are cache hits in a target never asked for before', async () => {
    // The first phrase of a cycle has no predecessor in that language; the others can be warmed.
    const lastCycleHits = routine
      .at(-1)!
      .slice(1)
      .filter((a) => a.fromCache).length;
    assert.ok(lastCycleHits >= 2, `only ${lastCycleHits}/4 predicted phrases were warm in the last cycle`);
    assert.ok(
      routine[0].every((a) => !a.fromCache),
      'nothing can be warm in the first cycle',
    );
    const metrics = await (await fetch(`${stack.cache!.adminUrl}/metrics`)).text();
    const warmed = Number(/^olt_cache_warmed_hits_total(?:\{[^}]*\})? (\S+)$/m.exec(metrics)?.[1] ?? 0);
    assert.ok(warmed >= lastCycleHits, `olt_cache_warmed_hits_total ${warmed}`);
  });

  test('the translate worker reports its cache writes: the service counts real and warming writes apart', async () => {
    const writes = async () => {
      const metrics = await (await fetch(`${stack.cache!.adminUrl}/metrics`)).text();
      const count = (source: string) =>
        Number(
          new RegExp(`^olt_cache_writes_total\\{[^}]*source="${source}"[^}]*\\} (\\S+)$`, 'm').exec(
            metrics,
          )?.[1] ?? 0,
        );
      return { real: count('real'), warming: count('warming') };
    };
    // Every miss is a model result the worker stores; the service reads the events within a second or so.
    const misses = [...routine.flat(), ...fresh.flat()].filter((a) => !a.fromCache).length;
    let seen = await writes();
    for (const deadline = Date.now() + 10_000; seen.real < misses && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 200));
      seen = await writes();
    }
    assert.equal(seen.real, misses, 'one real write per miss');
    assert.ok(seen.warming >= 1, `${seen.warming} warming writes`);
    const stats = await fetch(`${stack.cache!.adminUrl}/v1/admin/stats`, {
      headers: { authorization: `Bearer ${stack.cache!.adminToken}` },
    });
    const body = (await stats.json()) as { writes: { real: number; warming: number } };
    assert.equal(body.writes.real, seen.real);
  });

  test('real jobs while warming runs take no more than 3x (+100 ms) their time before anything was warmed', () => {
    // Wide margin: a shared CI machine is noisy; a warming job jumping real ones would cost far more.
    const before = median(fresh[0].map((a) => a.ms));
    const during = median(
      fresh
        .slice(2)
        .flat()
        .map((a) => a.ms),
    );
    assert.ok(
      during <= 3 * before + 100,
      `real-job p50 ${during.toFixed(1)} ms with warming vs ${before.toFixed(1)} ms`,
    );
  });
});
