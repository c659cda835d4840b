// Translation batching and fan-out on a MID-SIZED generated NLLB model (same graph as the test model,
// bigger dims; generated into a temp dir, its words are nonsense but its compute is real):
//  1. throughput of the translate worker's TranslationBatcher with batches of 1 (unbatched) vs up to 16;
//  2. TranslateText latency through the whole local stack at 1, 4 and 8 target languages (cache off).
//  3. fan-out of one sentence to 1 and 8 targets, batched by pair (old) and by source (new), same run.
// Usage: npm run build && [BATCH_BY=pair] node bench/translate-batching.mjs [d_model] [layers]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devkit, fmt, machine, percentile, require } from './lib.mjs';

const D_MODEL = Number(process.argv[2] ?? 512);
const LAYERS = Number(process.argv[3] ?? 6);
const { NllbOnnxEngine } = require('../apps/translate-worker/dist/translate/nllb');
const { TranslationBatcher } = require('../apps/translate-worker/dist/translate/translation-batcher');
const sample = require('../libs/devkit/fixtures/parallel/sample.json');

const dir = await mkdtemp(join(tmpdir(), 'olt-bench-nllb-'));
// MODEL_DIR = a real NLLB export (e.g. .models/nllb-200-distilled-600M) instead of the generated one.
const modelDir = process.env.MODEL_DIR ?? join(dir, 'nllb-mid-bench');
if (!process.env.MODEL_DIR)
  await devkit.generateTinyNllb(modelDir, {
    dModel: D_MODEL,
    heads: 8,
    encoderLayers: LAYERS,
    decoderLayers: LAYERS,
  });
console.log(
  `translate batching — generated NLLB d_model=${D_MODEL}, ${LAYERS}+${LAYERS} layers, 8 heads — ${machine()}`,
);

// 80 distinct (pair, sentence) requests of mixed length: 20 sentences × 4 targets.
const requests = ['spa_Latn', 'fra_Latn', 'deu_Latn', 'ita_Latn'].flatMap((target) =>
  sample.map((row) => ({ text: row.en, source: 'eng_Latn', target })),
);

const engine = await NllbOnnxEngine.load(modelDir, {
  precision: process.env.PRECISION ?? 'fp32',
  executionProviders: [process.env.EP ?? 'cpu'],
});
async function throughput(maxBatchSize) {
  const batcher = new TranslationBatcher(engine, { maxBatchSize, maxWaitMs: 5, concurrency: 1 });
  await Promise.all(requests.slice(0, 8).map((r) => batcher.translate(r))); // warm-up
  const started = performance.now();
  await Promise.all(requests.map((r) => batcher.translate(r)));
  return requests.length / ((performance.now() - started) / 1000);
}
const unbatched = await throughput(1);
const batched = await throughput(16);
const batch8 = await throughput(8);
console.log(`worker batcher, ${requests.length} sentences submitted at once:`);
console.log(`  unbatched (batch 1): ${unbatched.toFixed(1)} sentences/s`);
console.log(
  `  batched (up to 16):  ${batched.toFixed(1)} sentences/s   ratio ${(batched / unbatched).toFixed(2)}×`,
);
console.log(`  batches of up to 8: ${(1000 / batch8).toFixed(1)} ms per sentence`);

// Fan-out: one sentence to 1 or 8 targets, batched by (source, target) pair (old) vs by source (new).
const FANOUT = [
  'spa_Latn',
  'fra_Latn',
  'deu_Latn',
  'ita_Latn',
  'por_Latn',
  'nld_Latn',
  'pol_Latn',
  'swe_Latn',
];
async function fanout(batchBy, targets) {
  const batcher = new TranslationBatcher(engine, { maxBatchSize: 16, maxWaitMs: 5, concurrency: 1, batchBy });
  const times = [];
  for (const row of sample) {
    const started = performance.now();
    await Promise.all(
      FANOUT.slice(0, targets).map((target) =>
        batcher.translate({ text: row.en, source: 'eng_Latn', target }),
      ),
    );
    times.push(performance.now() - started);
  }
  return percentile(times, 50);
}
await fanout('source', 8); // warm-up
const fan = {};
for (const batchBy of ['pair', 'source'])
  for (const n of [1, 8]) fan[`${batchBy}${n}`] = await fanout(batchBy, n);
console.log('fan-out of one sentence, p50 of 20 (same run):');
for (const batchBy of ['pair', 'source']) {
  console.log(
    `  batch_by=${batchBy}: 1 target ${fmt(fan[`${batchBy}1`])}, 8 targets ${fmt(fan[`${batchBy}8`])}, ` +
      `8/1 = ${(fan[`${batchBy}8`] / fan[`${batchBy}1`]).toFixed(2)}×`,
  );
}
await engine.dispose();

const BATCH_BY = process.env.BATCH_BY ?? 'source';
const stack = await devkit.startLocalStack({
  translateModel: modelDir,
  apiKeys: { bench: 'bench-key' },
  settings: {
    cache: { enabled: false },
    translate: { batch_by: BATCH_BY, ...(process.env.EP ? { execution_providers: [process.env.EP] } : {}) },
  },
});
const client = devkit.createLiveTranslateClient(stack.grpcAddress);
const TARGETS = ['es', 'fr', 'de', 'it', 'pt', 'nl', 'pl', 'sv'];
const call = (text, targets) =>
  new Promise((ok, fail) =>
    client.translateText(
      { text, sourceLanguage: 'en', targetLanguages: targets },
      devkit.bearer('bench-key'),
      (e, r) => (e ? fail(e) : ok(r)),
    ),
  );
const latency = {};
for (const n of [1, 4, 8]) {
  const times = [];
  for (const [i, row] of sample.entries()) {
    const started = performance.now();
    await call(`${row.en} (${n}.${i})`, TARGETS.slice(0, n));
    times.push(performance.now() - started);
  }
  latency[n] = percentile(times, 50);
}
console.log(
  `TranslateText through the stack (batch_by=${BATCH_BY}, 1 translate worker, one request at a time, p50 of 20):`,
);
for (const n of [1, 4, 8]) console.log(`  ${n} target(s): ${fmt(latency[n])}`);
console.log(
  `  added per extra target: ${fmt((latency[4] - latency[1]) / 3)} (1→4), ${fmt((latency[8] - latency[1]) / 7)} (1→8)`,
);
client.close();
await stack.stop();
await rm(dir, { recursive: true, force: true });
