// Whole-stack load at real-time pace: N gRPC streams of 48 kHz speech (the fixture, upsampled, repeated to
// ~30 s), targets es+fr, interim results on, through the local stack (gateway, 1 ASR worker, 1 translate
// worker, 2 Redis; generated test models). For each step of the ramp: final transcript latency (the time the
// final arrives − the time the audio at its end_ms was sent; endpointing silence included), LAG events,
// CPU of each process (from /proc/<pid>/stat, % of one core over the step) and ASR rows per decoder batch
// (the ASR worker's olt_worker_batch_size histogram).
// Usage: npm run build && node bench/load-realtime.mjs [new|old] [ramp=1,10,25,50] [seconds=30]
//   old = the previous code paths by config: one VAD run per frame, translate batches by pair, exact
//   prompt lengths, no log-mel frame reuse (the resampler fast path and the skipped log10 of padding
//   frames have no switch: compare with the previous commit for those).
import { Buffer } from 'node:buffer';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import os from 'node:os';
import { URL } from 'node:url';
import { devkit, machine, percentile, require } from './lib.mjs';

const MODE = process.argv[2] ?? 'new';
const RAMP = (process.argv[3] ?? '1,10,25,50').split(',').map(Number);
const SECONDS = Number(process.argv[4] ?? 30);
const CHUNK_MS = 100;
const RATE = 48000;
const { StreamingResampler } = require('../apps/gateway/dist/audio');

const settings =
  MODE === 'old'
    ? {
        audio: { vad_batch_max_streams: 1 },
        translate: { batch_by: 'pair' },
        asr: { prompt_buckets: false, prompt_max_tokens: 223, feature_cache_mb: 0 },
      }
    : {};
// Real models on a GPU: ASR_MODEL / TRANSLATE_MODEL (names under models.dir or paths), EP (e.g. cuda).
const ep = process.env.EP ? { execution_providers: [process.env.EP] } : {};
const stack = await devkit.startLocalStack({
  apiKeys: { bench: 'bench-key' },
  asrModel: process.env.ASR_MODEL,
  translateModel: process.env.TRANSLATE_MODEL,
  modelsDir: process.env.MODELS_DIR,
  settings: {
    ...settings,
    asr: { ...settings.asr, ...ep, ...(process.env.ASR_TIER ? { tier: process.env.ASR_TIER } : {}) },
    translate: { ...settings.translate, ...ep },
  },
});
const client = devkit.createLiveTranslateClient(stack.grpcAddress);

// 48 kHz LINEAR16 speech of about SECONDS seconds.
const wav = devkit.readWav(devkit.speechFixture('two-sentences.wav').path);
const up = new StreamingResampler(wav.sampleRate, RATE);
const once = Float32Array.from([...up.push(wav.samples), ...up.flush()]);
const repeats = Math.ceil(SECONDS / (once.length / RATE));
const pcm = Buffer.alloc(repeats * once.length * 2);
for (let r = 0; r < repeats; r++)
  for (let i = 0; i < once.length; i++)
    pcm.writeInt16LE(Math.round(Math.max(-1, Math.min(1, once[i])) * 32767), 2 * (r * once.length + i));
const chunkBytes = (CHUNK_MS * RATE * 2) / 1000;

function oneStream(startDelayMs) {
  return new Promise((resolve, reject) => {
    setTimeout(() => {
      const sentAt = [];
      const finals = [];
      let lagEvents = 0;
      const call = client.streamTranslate(devkit.bearer('bench-key'));
      call.on('data', (r) => {
        if (r.transcript?.isFinal) {
          const k = Math.min(
            sentAt.length - 1,
            Math.max(0, Math.ceil(Number(r.transcript.endMs) / CHUNK_MS) - 1),
          );
          finals.push(performance.now() - sentAt[k]);
        }
        if (r.event?.type === 'LAG') lagEvents++;
      });
      call.on('error', (err) => reject(new Error(`stream failed: ${err.details}`)));
      call.on('end', () => resolve({ finals, lagEvents }));
      call.write({
        config: {
          audio: { encoding: 'LINEAR16', sampleRateHz: RATE, channels: 1 },
          sourceLanguage: 'en',
          targetLanguages: ['es', 'fr'],
          interimResults: true,
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
        setTimeout(next, Math.max(0, started + k * CHUNK_MS - performance.now()));
      };
      next();
    }, startDelayMs);
  });
}

/** Redis servers of this stack: the processes listening on the ports of its URLs. */
function pidListening(port) {
  const inodes = new Set();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[3] === '0A' && parseInt(f[1].split(':')[1], 16) === port) inodes.add(f[9]);
    }
  }
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m && inodes.has(m[1])) return Number(pid);
      }
    } catch {
      // not ours, or gone
    }
  }
  return -1;
}
/** Ports a process listens on (to find a worker's random metrics port). */
function portsOf(pid) {
  const inodes = new Set();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
    if (m) inodes.add(m[1]);
  }
  const ports = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[3] === '0A' && inodes.has(f[9])) ports.push(parseInt(f[1].split(':')[1], 16));
    }
  }
  return ports;
}
const ticks = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14, 15)
};
const TICK_HZ = 100;

const [asr, translate] = stack.workers;
const procs = {
  gateway: stack.gateway.pid,
  'asr-worker': asr.pid,
  'translate-worker': translate.pid,
  'redis (queue)': pidListening(Number(new URL(stack.queueRedisUrl).port)),
  'redis (cache)': pidListening(Number(new URL(stack.cacheRedisUrl).port)),
};
async function asrBatchHistogram() {
  for (const port of portsOf(asr.pid)) {
    try {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const sum = /olt_worker_batch_size_sum\{[^}]*\} ([\d.e+]+)/.exec(text);
      const count = /olt_worker_batch_size_count\{[^}]*\} ([\d.e+]+)/.exec(text);
      if (sum && count) return { sum: Number(sum[1]), count: Number(count[1]) };
    } catch {
      // not the metrics port
    }
  }
  return { sum: NaN, count: NaN };
}

console.log(
  `load-realtime (${MODE} path) — ${machine()} — load before ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log(
  `| streams | final p50 / p95 / p99 | finals | LAG | ${Object.keys(procs).join(' % | ')} % | gateway % per stream | ASR rows/batch | load avg (1 min) |`,
);
console.log(
  `| --- | --- | --- | --- | ${Object.keys(procs)
    .map(() => '---')
    .join(' | ')} | --- | --- | --- |`,
);
for (const streams of RAMP) {
  const before = Object.fromEntries(Object.entries(procs).map(([n, pid]) => [n, ticks(pid)]));
  const batchBefore = await asrBatchHistogram();
  const t0 = performance.now();
  // Real streams are not in lockstep: start them spread over ~3 s.
  const results = await Promise.all(
    Array.from({ length: streams }, (_, i) => oneStream((i * 3000) / streams)),
  );
  const wallS = (performance.now() - t0) / 1000;
  const cpu = Object.fromEntries(
    Object.entries(procs).map(([n, pid]) => [n, ((ticks(pid) - before[n]) / TICK_HZ / wallS) * 100]),
  );
  const batchAfter = await asrBatchHistogram();
  const finals = results.flatMap((r) => r.finals);
  const lag = results.reduce((n, r) => n + r.lagEvents, 0);
  const rows = (batchAfter.sum - batchBefore.sum) / (batchAfter.count - batchBefore.count);
  console.log(
    `| ${streams} | ${[50, 95, 99].map((p) => Math.round(percentile(finals, p))).join(' / ')} ms | ${finals.length} | ${lag} | ` +
      `${Object.values(cpu)
        .map((c) => c.toFixed(0))
        .join(
          ' | ',
        )} | ${(cpu.gateway / streams).toFixed(2)} | ${rows.toFixed(2)} | ${os.loadavg()[0].toFixed(2)} |`,
  );
}
client.close();
await stack.stop();
