// Interim-result lag at N real-time streams with interim_results on (generated test models).
// Lag of a result = the time the client receives a Transcript − the time the client sent the audio at the
// Transcript's end_ms (the end of the audio that decode covered). Interims and finals are reported apart, then
// the finals of the same run with interim_results off. Usage: node bench/interim-lag.mjs [streams=20] [repeats=3]
import { Buffer } from 'node:buffer';
import os from 'node:os';
import { devkit, summary, fmt, machine } from './lib.mjs';

const STREAMS = Number(process.argv[2] ?? 20);
const REPEATS = Number(process.argv[3] ?? 3);
const CHUNK_MS = 100;

const stack = await devkit.startLocalStack({ apiKeys: { bench: 'bench-key' } });
const client = devkit.createLiveTranslateClient(stack.grpcAddress);
const wav = devkit.readWav(devkit.speechFixture('two-sentences.wav').path);
// Several sentences in a row: the fixture repeated.
const pcm = Buffer.concat(Array.from({ length: REPEATS }, () => wav.data));
const bytesPerMs = (wav.sampleRate * 2) / 1000;
const chunkBytes = CHUNK_MS * bytesPerMs;

function oneStream(startDelayMs, interimResults) {
  return new Promise((resolve, reject) => {
    setTimeout(() => {
      const sentAt = []; // sentAt[k]: when audio up to (k + 1) × CHUNK_MS was written
      const interim = [];
      const final = [];
      let lagEvents = 0;
      const lagOf = (endMs) => {
        const k = Math.min(sentAt.length - 1, Math.max(0, Math.ceil(Number(endMs) / CHUNK_MS) - 1));
        return performance.now() - sentAt[k];
      };
      const call = client.streamTranslate(devkit.bearer('bench-key'));
      call.on('data', (r) => {
        if (r.transcript) (r.transcript.isFinal ? final : interim).push(lagOf(r.transcript.endMs));
        if (r.event?.type === 'LAG') lagEvents++;
      });
      call.on('error', (err) => reject(new Error(`stream failed: ${err.details}`)));
      call.on('end', () => resolve({ interim, final, lagEvents }));
      call.write({
        config: {
          audio: { encoding: 'LINEAR16', sampleRateHz: wav.sampleRate, channels: 1 },
          sourceLanguage: 'en',
          targetLanguages: ['es'],
          interimResults,
        },
      });
      const started = performance.now();
      let k = 0;
      const next = () => {
        const off = k * chunkBytes;
        if (off >= pcm.length) return call.end();
        call.write({ audio: { data: pcm.subarray(off, Math.min(off + chunkBytes, pcm.length)) } });
        sentAt[k] = performance.now();
        k++;
        // Real time: chunk k goes out when its audio would have been captured.
        setTimeout(next, Math.max(0, started + k * CHUNK_MS - performance.now()));
      };
      next();
    }, startDelayMs);
  });
}

console.log(`${STREAMS} real-time streams (test models, 1 ASR + 1 translate worker) — ${machine()}`);
// interim_results on, then off (the same audio), to compare the finals.
for (const interimResults of [true, false]) {
  // Real streams are not in lockstep: start them spread over ~3 s.
  const results = await Promise.all(
    Array.from({ length: STREAMS }, (_, i) => oneStream((i * 3000) / STREAMS, interimResults)),
  );
  const interim = summary(results.flatMap((r) => r.interim));
  const final = summary(results.flatMap((r) => r.final));
  const lagEvents = results.reduce((n, r) => n + r.lagEvents, 0);
  console.log(`interim_results ${interimResults ? 'on' : 'off'}:`);
  if (interimResults)
    console.log(
      `  interim transcripts: lag p50 ${fmt(interim.p50)} p99 ${fmt(interim.p99)} (n=${interim.n})`,
    );
  console.log(`  final transcripts:   lag p50 ${fmt(final.p50)} p99 ${fmt(final.p99)} (n=${final.n})`);
  console.log(`  Event LAG sent: ${lagEvents}`);
}
console.log(
  `load average after the run: ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
client.close();
await stack.stop();
