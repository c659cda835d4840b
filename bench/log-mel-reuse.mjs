// Log-mel cost of an open segment's decodes (issue 12 item 4): interim decodes every second as the segment
// grows to N s, then its final, with asr.feature_cache_mb on (frames of audio already seen are reused) and
// off. Also the one-off cost of a clip of each length. Pure CPU, no model: the same on a GPU host, where the
// encoder, not the features, dominates.
//
//   npm run build && node bench/log-mel-reuse.mjs [--seconds 2,5,10,15] [--rounds 20]
import { parseArgs } from 'node:util';
import { devkit, machine, require } from './lib.mjs';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '2,5,10,15' }, rounds: { type: 'string', default: '20' } },
});
const { LogMelSpectrogram, MelFrameCache } = require('../apps/asr-worker/dist/asr/whisper');
const speech = devkit.readWav(devkit.speechFixture('two-sentences.wav').path).samples;
const rounds = Number(values.rounds);
const mel = new LogMelSpectrogram();

/** Audio of `seconds` s: the fixture repeated. */
function clip(seconds) {
  const out = new Float32Array(16000 * seconds);
  for (let i = 0; i < out.length; i += speech.length) out.set(speech.subarray(0, out.length - i), i);
  return out;
}

/** ms of log-mel for one segment's decodes: one interim per second of audio, then the final. */
function segmentCost(audio, cacheBytes) {
  const cache = cacheBytes > 0 ? new MelFrameCache(cacheBytes) : undefined;
  const reuse = cache ? { key: 'tenant/gw/session/segment', cache } : undefined;
  const started = performance.now();
  for (let end = 16000; end < audio.length; end += 16000) mel.compute(audio.subarray(0, end), reuse);
  mel.compute(audio, reuse);
  return performance.now() - started;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

console.log(`log-mel-reuse — ${machine()}`);
console.log('| segment | decodes | log-mel per segment, no reuse | with reuse | ratio | one clip, cold |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const seconds of values.seconds.split(',').map(Number)) {
  const audio = clip(seconds);
  segmentCost(audio, 0); // warm-up (JIT)
  segmentCost(audio, 64 << 20);
  const off = [];
  const on = [];
  const cold = [];
  for (let r = 0; r < rounds; r++) {
    off.push(segmentCost(audio, 0));
    on.push(segmentCost(audio, 64 << 20));
    const t = performance.now();
    mel.compute(audio);
    cold.push(performance.now() - t);
  }
  const [a, b] = [median(off), median(on)];
  console.log(
    `| ${seconds} s | ${seconds} | ${a.toFixed(1)} ms | ${b.toFixed(1)} ms | ${(a / b).toFixed(2)} × | ${median(cold).toFixed(1)} ms |`,
  );
}
