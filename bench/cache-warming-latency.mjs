// Does Markov warming delay real translate jobs? (issue 14 item 2.) One run, two fresh local stacks that
// differ only in cache_service.warming_enabled (off, then on): gateway, 1 translate worker (concurrency 1),
// the cache service, 2 Redis; a generated mid-size NLLB (nonsense words, real compute) so a warming job
// that is already running costs a real job something measurable.
//
// Load (open loop, one TranslateText call every INTERVAL ms): a streamer's routine of 12 sentences said in
// order, cycle after cycle, each cycle to another target language (so the cached answers of earlier cycles
// don't serve it and warming has something to predict; after 12 cycles the languages repeat and the
// routine is a plain cache hit in both modes), interleaved with a new sentence never seen before from a
// second tenant (always a miss: a real job in both modes, the same calls in both; its own tenant so that it
// does not break the routine's chain). Printed per mode: latency p50/p99 of the calls the model answered
// (from_cache false: real jobs), of the new lines alone, of all calls; cache hits; from the cache service's
// /metrics, warming jobs enqueued, warmed hits and how often warming was held back because real jobs
// waited; the mean 1-minute load average during the load.
// Usage: npm run build && node bench/cache-warming-latency.mjs [cycles=20] [interval_ms=150] [d_model=256] [layers=3]
import { mkdtemp, rm } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devkit, fmt, machine, percentile, require } from './lib.mjs';

const CYCLES = Number(process.argv[2] ?? 20);
const INTERVAL_MS = Number(process.argv[3] ?? 150);
const D_MODEL = Number(process.argv[4] ?? 256);
const LAYERS = Number(process.argv[5] ?? 3);
const sample = require('../libs/devkit/fixtures/parallel/sample.json');
const ROUTINE = sample.slice(0, 12).map((row) => row.en);
const FRESH = sample.slice(12).map((row) => row.en);
const TARGETS = ['es', 'fr', 'de', 'it', 'pt', 'nl', 'pl', 'sv', 'da', 'fi', 'cs', 'ro'];

const dir = await mkdtemp(join(tmpdir(), 'olt-bench-warming-'));
const modelDir = process.env.MODEL_DIR ?? join(dir, 'nllb-warming-bench');
if (!process.env.MODEL_DIR)
  await devkit.generateTinyNllb(modelDir, {
    dModel: D_MODEL,
    heads: 4,
    encoderLayers: LAYERS,
    decoderLayers: LAYERS,
  });
console.log(
  `cache warming vs real-job latency — generated NLLB d_model=${D_MODEL}, ${LAYERS}+${LAYERS} layers; ` +
    `${CYCLES} cycles × ${2 * ROUTINE.length} calls, one every ${INTERVAL_MS} ms — ${machine()}`,
);

function metric(text, name, labels = '') {
  const re = new RegExp(`^${name}${labels ? `\\{[^}]*${labels}[^}]*\\}` : '(\\{[^}]*\\})?'} (\\S+)$`, 'gm');
  let sum = 0;
  for (const m of text.matchAll(re)) sum += Number(m.at(-1));
  return sum;
}

async function runMode(warming) {
  const stack = await devkit.startLocalStack({
    translateModel: modelDir,
    asrWorkers: 0,
    apiKeys: { routine: 'routine-key', fresh: 'fresh-key' },
    cacheService: { warming },
    settings: {
      translate: { concurrency: 1, ...(process.env.EP ? { execution_providers: [process.env.EP] } : {}) },
      // Trust a context after fewer sightings than in production: the run is short.
      cache_service: { warming_prior_observations: 1 },
    },
  });
  const client = devkit.createLiveTranslateClient(stack.grpcAddress);
  const call = (key, text, target) =>
    new Promise((ok) => {
      const started = performance.now();
      client.translateText(
        { text, sourceLanguage: 'en', targetLanguages: [target] },
        devkit.bearer(key),
        (err, res) =>
          ok({
            ms: performance.now() - started,
            error: err?.message,
            fromCache: res?.translations?.[0]?.fromCache ?? false,
            fresh: key === 'fresh-key',
          }),
      );
    });
  const pending = [];
  const load = [];
  try {
    for (let c = 0; c < CYCLES; c++) {
      const target = TARGETS[c % TARGETS.length];
      for (const [k, text] of ROUTINE.entries()) {
        // Open loop: a slow answer never slows the arrival of the next call.
        pending.push(call('routine-key', text, target));
        await new Promise((r) => setTimeout(r, INTERVAL_MS));
        pending.push(call('fresh-key', `${FRESH[(c + k) % FRESH.length]} (${c}.${k})`, target));
        await new Promise((r) => setTimeout(r, INTERVAL_MS));
        load.push(os.loadavg()[0]);
      }
    }
    const results = await Promise.all(pending);
    const metrics = await (await fetch(`${stack.cache.adminUrl}/metrics`)).text();
    const real = results.filter((r) => !r.error && !r.fromCache).map((r) => r.ms);
    return {
      warming,
      calls: results.length,
      errors: results.filter((r) => r.error).length,
      real,
      fresh: results.filter((r) => !r.error && r.fresh).map((r) => r.ms),
      all: results.filter((r) => !r.error).map((r) => r.ms),
      hits: results.filter((r) => r.fromCache).length,
      warmingJobs: metric(metrics, 'olt_cache_warming_jobs_total', 'outcome="enqueued"'),
      warmedHits: metric(metrics, 'olt_cache_warmed_hits_total'),
      skippedBusy: metric(metrics, 'olt_cache_warming_jobs_total', 'outcome="skipped_busy"'),
      load: load.reduce((a, b) => a + b, 0) / load.length,
    };
  } finally {
    client.close();
    await stack.stop();
  }
}

const rows = [];
for (const warming of [false, true]) rows.push(await runMode(warming));
await rm(dir, { recursive: true, force: true });

console.log(
  '\n| warming | calls | real jobs | real p50 | real p99 | new lines p50 | new lines p99 | all p50 | all p99 | cache hits | warming jobs | warmed hits | warming held back (real jobs waiting) | load avg (1 min) |',
);
console.log(
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
);
for (const r of rows)
  console.log(
    `| ${r.warming ? 'on' : 'off'} | ${r.calls}${r.errors ? ` (${r.errors} errors)` : ''} | ${r.real.length} | ` +
      `${fmt(percentile(r.real, 50))} | ${fmt(percentile(r.real, 99))} | ` +
      `${fmt(percentile(r.fresh, 50))} | ${fmt(percentile(r.fresh, 99))} | ${fmt(percentile(r.all, 50))} | ` +
      `${fmt(percentile(r.all, 99))} | ${r.hits} | ${r.warmingJobs} | ${r.warmedHits} | ${r.skippedBusy} | ${r.load.toFixed(1)} |`,
  );
