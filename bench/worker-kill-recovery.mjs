// Time to recover after an ASR worker SIGKILL, over repeated kills at random moments under load.
//
//   node bench/worker-kill-recovery.mjs [--kills 20] [--streams 3] [--budget-s 600] [--lock-ms 1000]
//                                       [--stalled-ms 250]
//
// Starts the local stack (queue Redis with AOF, 2 ASR + 1 translate workers, tiny test models, production
// lock settings: queue.lock_duration_ms 1000, stalled_interval_ms 250) and keeps --streams real-time
// streams going (two-sentences.wav looped, one target). Each round waits a random 0.5–3 s, then SIGKILLs
// the ASR worker holding a job at that moment and starts a replacement. Recovery of a kill = time from the
// SIGKILL until every final-transcript job the dead worker held has its final at the client. Also counts,
// over all streams: segments sent, finals received, lost and duplicated (goal 0 and 0). Stops after
// --kills kills or --budget-s seconds, whichever comes first, and says which. Run `npm run build` first.
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { devkit, machine, percentile, require } from './lib.mjs';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '20' },
    streams: { type: 'string', default: '3' },
    'budget-s': { type: 'string', default: '600' },
    'lock-ms': { type: 'string', default: '1000' },
    'stalled-ms': { type: 'string', default: '250' },
  },
});
const { asrQueueName } = require('@olt/shared');
const kills = Number(values.kills);
const budgetMs = Number(values['budget-s']) * 1000;
const TARGETS = ['es'];

const stack = await devkit.startLocalStack({
  asrWorkers: 2,
  translateWorkers: 1,
  settings: {
    queue: { lock_duration_ms: Number(values['lock-ms']), stalled_interval_ms: Number(values['stalled-ms']) },
  },
});
const client = devkit.createLiveTranslateClient(stack.grpcAddress);
const redis = new Redis(stack.queueRedisUrl, { maxRetriesPerRequest: null });
const holders = new devkit.JobHolders(redis, asrQueueName('cpu'));
const speech = devkit.readWav(devkit.speechFixture('two-sentences.wav').path).data;
const finalAt = new Map(); // segmentId -> time its final arrived
const outcomes = [];
let running = true;

async function streamLoop(i) {
  let n = 0;
  while (running) {
    const outcome = await devkit.streamAudio(client, {
      config: {
        audio: { encoding: 'LINEAR16', sampleRateHz: 16000, channels: 1 },
        sourceLanguage: 'en',
        targetLanguages: TARGETS,
        sessionId: `kill-bench-${i}-${n++}`,
      },
      pcm: speech,
      realtimeFactor: 1,
      onResponse: (r) => {
        if (r.transcript?.isFinal) finalAt.set(r.transcript.segmentId, Date.now());
      },
    });
    outcomes.push(outcome);
  }
}

const started = Date.now();
const loops = Array.from({ length: Number(values.streams) }, (_, i) => streamLoop(i));
const recoveries = [];
const waits = [];
while (recoveries.length < kills && Date.now() - started < budgetMs) {
  await new Promise((r) => setTimeout(r, 500 + Math.random() * 2500));
  const pids = stack.workers.filter((w) => w.opts.name === 'asr-worker' && w.running).map((w) => w.pid);
  const held = await holders.waitForHeld(pids, 20_000);
  if (!held) continue;
  const victim = stack.workers.find((w) => w.pid === held[0].pid);
  const segments = [...new Set(held.filter((j) => j.pid === victim.pid).map((j) => j.segmentId))];
  await victim.kill();
  const killedAt = Date.now();
  const replacement = stack.startWorker('asr-worker');
  waits.push(
    (async () => {
      const deadline = killedAt + 60_000;
      while (segments.some((s) => !(finalAt.get(s) > killedAt)) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
      const ms = Math.max(...segments.map((s) => (finalAt.get(s) ?? Infinity) - killedAt));
      recoveries.push(ms);
      process.stderr.write(
        `kill ${recoveries.length}: ${segments.length} segment(s) answered after ${ms} ms\n`,
      );
    })(),
  );
  await Promise.all(waits.splice(0));
  await replacement;
}
const stoppedBy = recoveries.length >= kills ? 'kill count' : `time budget (${values['budget-s']} s)`;
running = false;
await Promise.all(loops);
const tally = devkit.addTallies(outcomes.map((o) => devkit.tallyStream(o.responses, TARGETS)));
const errors = outcomes.filter((o) => o.error).map((o) => o.error.details);
await holders.close();
await redis.quit();
client.close();
await stack.stop();

console.log(`machine: ${machine()}`);
console.log(
  `ASR worker SIGKILLs: ${recoveries.length} (stopped by ${stoppedBy}), ${values.streams} real-time streams, lock ${values['lock-ms']} ms / stalled check ${values['stalled-ms']} ms`,
);
console.log(
  `recovery (kill -> finals of the dead worker's segments): p50 ${percentile(recoveries, 50)} ms, p99 ${percentile(recoveries, 99)} ms, max ${Math.max(...recoveries)} ms`,
);
console.log(
  `streams: ${outcomes.length}, segments ${tally.segments}, finals ${tally.finals}, translations ${tally.translations}, lost ${tally.lost}, duplicated ${tally.duplicated}, stream errors ${errors.length}${errors.length ? `: ${errors.slice(0, 3).join(' | ')}` : ''}`,
);
