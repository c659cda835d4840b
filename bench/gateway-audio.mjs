// Gateway audio cost per stream, old path beside new in one run: resampling 48 kHz and 44.1 kHz to 16 kHz
// (general polyphase loop vs the exact fast paths) and Silero VAD for N concurrent streams (one run per
// frame vs frames of all streams batched). CPU time of this process per second of stream audio.
// Usage: npm run build && node bench/gateway-audio.mjs [streams]
import os from 'node:os';
import { machine, require } from './lib.mjs';

const STREAMS = Number(process.argv[2] ?? 50);
const SECONDS = 10;
const { StreamingResampler, SileroVadModel, VAD_FRAME_SAMPLES } = require('../apps/gateway/dist/audio');
console.log(
  `gateway audio — ${STREAMS} streams — ${machine()} — load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);

const cpuMs = (from) => {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1000;
};

function resampleCost(rate, fastPaths) {
  const signal = new Float32Array(rate * SECONDS).map((_, i) => 0.3 * Math.sin(i / 7) + 0.01 * Math.random());
  const chunk = rate / 10; // 100 ms chunks, as clients send
  const started = process.cpuUsage();
  for (let rep = 0; rep < 3; rep++) {
    const r = new StreamingResampler(rate, 16000, fastPaths);
    for (let i = 0; i < signal.length; i += chunk) r.push(signal.subarray(i, i + chunk));
  }
  return cpuMs(started) / (3 * SECONDS); // ms of CPU per second of audio
}

async function vadCost(batchMaxStreams) {
  const rows = [];
  const model = await SileroVadModel.load({ batchMaxStreams, batchWaitMs: 2, onBatch: (n) => rows.push(n) });
  const frame = new Float32Array(VAD_FRAME_SAMPLES);
  const framesPerStream = Math.round((SECONDS * 16000) / VAD_FRAME_SAMPLES);
  const started = process.cpuUsage();
  await Promise.all(
    Array.from({ length: STREAMS }, async (_, s) => {
      const vad = model.createStream();
      for (let f = 0; f < framesPerStream; f++) {
        for (let i = 0; i < frame.length; i++) frame[i] = 0.2 * Math.sin((f * 512 + i + s * 97) / 11);
        await vad.process(frame);
      }
    }),
  );
  const perStreamSecond = cpuMs(started) / (STREAMS * SECONDS);
  await model.release();
  const meanRows = rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : 1;
  return { perStreamSecond, meanRows };
}

const lines = [];
for (const rate of [48000, 44100]) {
  resampleCost(rate, true); // warm-up (JIT)
  const old = resampleCost(rate, false);
  const now = resampleCost(rate, true);
  lines.push([`resample ${rate / 1000} kHz → 16 kHz`, old, now, '']);
}
await vadCost(1); // warm-up
const vadOld = await vadCost(1);
const vadNew = await vadCost(64);
lines.push([
  'Silero VAD (31.25 frames/s)',
  vadOld.perStreamSecond,
  vadNew.perStreamSecond,
  `${vadNew.meanRows.toFixed(1)} rows/run`,
]);
console.log('| stage | old: ms CPU per stream-second | new | new/old | note |');
console.log('| --- | --- | --- | --- | --- |');
for (const [name, old, now, note] of lines)
  console.log(`| ${name} | ${old.toFixed(3)} | ${now.toFixed(3)} | ${(now / old).toFixed(2)} | ${note} |`);
const total = (i) => lines[0][i] + lines[2][i];
console.log(
  `48 kHz stream, resample + VAD: old ${(total(1) / 10).toFixed(3)} % of a core, new ${(total(2) / 10).toFixed(3)} % of a core`,
);
