// Cross-stream micro-batching in the ASR worker: throughput of batched vs one-at-a-time decoding.
//
//   node bench/asr-batching.mjs [--dmodel 384] [--layers 4] [--encoder-layers 2] [--rounds 3]
//
// Generates a mid-sized Whisper-shaped model (same graphs as the test model, bigger: d_model 384, 6 heads,
// 4 decoder layers, 2 extra encoder layers, fp32) into a temp dir, so compute dominates over overheads,
// then submits 1/4/8/16 concurrent segments (0.6–7 s of speech and tones) through the worker's own
// BatchedTranscriber (MicroBatcher in front of WhisperOnnxEngine): once with batch_max_size 8, once with 1.
// Prints segments/s for both and the ratio. Run `npm run build` first.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { devkit, machine, require } from './lib.mjs';

const { values } = parseArgs({
  options: {
    dmodel: { type: 'string', default: '384' },
    heads: { type: 'string', default: '6' },
    layers: { type: 'string', default: '4' },
    'encoder-layers': { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    'max-batch': { type: 'string', default: '8' },
  },
});
const { WhisperOnnxEngine } = require('../apps/asr-worker/dist/asr/whisper');
const { BatchedTranscriber } = require('../apps/asr-worker/dist/asr/batched-transcriber');

const dims = {
  dModel: Number(values.dmodel),
  heads: Number(values.heads),
  decoderLayers: Number(values.layers),
  encoderLayers: Number(values['encoder-layers']),
};
const rounds = Number(values.rounds);
const maxBatch = Number(values['max-batch']);
const dir = mkdtempSync(join(tmpdir(), 'olt-bench-whisper-'));
try {
  await devkit.generateTinyWhisper(dir, { dims, precisions: ['fp32'] });
  const engine = await WhisperOnnxEngine.load(dir, { precision: 'fp32' });
  const speech = devkit.readWav(devkit.speechFixture('two-sentences.wav').path).samples;
  const sine = (hz, s) =>
    Float32Array.from(
      { length: Math.round(16000 * s) },
      (_, i) => 0.4 * Math.sin((2 * Math.PI * hz * i) / 16000),
    );
  // Mixed lengths, as segments from different streams are.
  const clip = (i) =>
    i % 3 === 0 ? speech.subarray(0, 16000 * (1 + (i % 7))) : sine(300 + 170 * i, 0.6 + ((i * 1.3) % 6.4));
  const requests = Array.from({ length: 16 }, (_, i) => ({ audio: clip(i), language: 'en' }));

  async function throughput(n, batchSize) {
    const transcriber = new BatchedTranscriber(engine, {
      maxBatchSize: batchSize,
      maxWaitMs: 10,
      concurrency: 1,
    });
    const times = [];
    let texts;
    for (let r = 0; r < rounds; r++) {
      const started = performance.now();
      const results = await Promise.all(requests.slice(0, n).map((q) => transcriber.transcribe(q)));
      times.push(performance.now() - started);
      texts = results.map((x) => x.result.text);
    }
    times.sort((a, b) => a - b);
    return { segPerS: (n * 1000) / times[Math.floor(times.length / 2)], texts };
  }

  await throughput(2, 2); // warm-up
  console.log(
    `model: generated Whisper-shaped, d_model ${dims.dModel}, ${dims.heads} heads, ${dims.decoderLayers} decoder ` +
      `layers, ${dims.encoderLayers} extra encoder layers, fp32, CPU EP; batch_max_size ${maxBatch}; median of ${rounds}`,
  );
  console.log(`machine: ${machine()}`);
  console.log('| concurrent segments | unbatched seg/s | batched seg/s | ratio |');
  console.log('| ------------------- | --------------- | ------------- | ----- |');
  for (const n of [1, 4, 8, 16]) {
    const one = await throughput(n, 1);
    const many = await throughput(n, maxBatch);
    if (one.texts.join('|') !== many.texts.join('|'))
      throw new Error(`batched and unbatched texts differ at ${n}`);
    console.log(
      `| ${n} | ${one.segPerS.toFixed(2)} | ${many.segPerS.toFixed(2)} | ${(many.segPerS / one.segPerS).toFixed(2)}× |`,
    );
  }
  await engine.dispose();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
