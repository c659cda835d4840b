// Main-thread event-loop delay while the ASR and MT engines run: on the event loop (engine_threads = 0,
// the old path) against in an inference thread (engine_threads = 1, the default), in one run.
//
//   node bench/inference-event-loop.mjs [--rounds 5] [--rows 8]
//
// ASR: the mid-sized generated Whisper of bench/asr-batching.mjs (d_model 384, 6 heads, 4 decoder layers,
// 2 extra encoder layers, fp32), batches of --rows segments of 2–5 s of speech. MT: a mid-sized generated
// NLLB (d_model 512, 8 heads, 6 + 6 layers), batches of 16 sentences to 4 targets. Thread settings as a worker resolves them from this machine's
// CPU budget (intra-op threads = CPU quota, spinning "auto"). perf_hooks.monitorEventLoopDelay at 10 ms
// resolution measures the main thread while the batches run; the table gives its p50 / p99 / max and the
// time per batch. Run `npm run build` first.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { devkit, machine, require } from './lib.mjs';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '5' }, rows: { type: 'string', default: '8' } },
});
const rounds = Number(values.rounds);
const rows = Number(values.rows);
const shared = require('@olt/shared');
const { loadWhisperEngine } = require('../apps/asr-worker/dist/asr/whisper');
const { loadNllbEngine } = require('../apps/translate-worker/dist/translate/nllb');

const settings = shared.resolveInferenceThreads({
  engineThreads: 1,
  intraOpThreads: 0,
  interOpThreads: 1,
  allowSpinning: 'auto',
  inferenceTimeoutMs: 600000,
});
const quiet = { info: () => undefined, warn: () => undefined };
const ms = (ns) => (ns / 1e6).toFixed(1);

async function measure(label, engine, run) {
  await run(engine); // first runs allocate
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  const times = [];
  histogram.enable();
  for (let r = 0; r < rounds; r++) {
    const started = performance.now();
    await run(engine);
    times.push(performance.now() - started);
  }
  histogram.disable();
  await engine.dispose();
  times.sort((a, b) => a - b);
  const p = (q) => ms(histogram.percentile(q));
  console.log(
    `| ${label} | ${p(50)} | ${p(99)} | ${ms(histogram.max)} | ${times[Math.floor(times.length / 2)].toFixed(0)} |`,
  );
}

const root = mkdtempSync(join(tmpdir(), 'olt-bench-loop-'));
try {
  const whisperDir = join(root, 'whisper-mid');
  await devkit.generateTinyWhisper(whisperDir, {
    dims: { dModel: 384, heads: 6, decoderLayers: 4, encoderLayers: 2 },
    precisions: ['fp32'],
  });
  const nllbDir = join(root, 'nllb-mid');
  await devkit.generateTinyNllb(nllbDir, { dModel: 512, heads: 8, encoderLayers: 6, decoderLayers: 6 });
  const speech = devkit.readWav(devkit.speechFixture('two-sentences.wav').path).samples;
  const asrBatch = Array.from({ length: rows }, (_, i) => ({
    audio: speech.subarray(16000 * (i % 2), 16000 * (2 + (i % 4) + (i % 2))),
    language: 'en',
  }));
  const sentences = ['Hello everyone, welcome back to the stream.', 'Today we try something new.'];
  const mtBatch = Array.from({ length: 16 }, (_, i) => ({
    text: sentences[i % 2],
    source: 'eng_Latn',
    target: ['spa_Latn', 'fra_Latn', 'deu_Latn', 'jpn_Jpan'][i % 4],
  }));

  console.log(
    `ASR: generated Whisper-shaped, d_model 384, 4 decoder + 2 extra encoder layers, fp32, ${rows} segments per ` +
      `batch; MT: generated NLLB-shaped, d_model 512, 6+6 layers, 16 sentences per batch; ${rounds} batches each, CPU EP`,
  );
  console.log(
    `threads: intra_op ${settings.intraOpThreads}, spinning ${settings.allowSpinning} ` +
      `(CPU budget ${settings.cpuBudget.cpus}, ${settings.cpuBudget.source})`,
  );
  console.log(`machine: ${machine()}`);
  console.log('| engine, where it runs | loop delay p50 ms | p99 ms | max ms | ms per batch |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const engineThreads of [0, 1]) {
    const where =
      engineThreads === 0 ? 'event loop (engine_threads 0)' : 'inference thread (engine_threads 1)';
    const options = {
      precision: 'fp32',
      ...shared.engineThreadOptions({ ...settings, engineThreads }, quiet),
    };
    await measure(`Whisper, ${where}`, await loadWhisperEngine(whisperDir, options), (e) =>
      e.transcribe(asrBatch),
    );
    await measure(
      `NLLB, ${where}`,
      await loadNllbEngine(nllbDir, { ...options, executionProviders: ['cpu'] }),
      (e) => e.translate(mtBatch),
    );
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
