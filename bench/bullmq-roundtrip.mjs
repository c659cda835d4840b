// Baseline: bare BullMQ add → worker → reply over a Redis stream (the transport the pipeline uses),
// with no audio, models or gRPC. p50/p99 at 1 and 20 jobs in flight. Usage: node bench/bullmq-roundtrip.mjs
import { devkit, require, summary, fmt, machine } from './lib.mjs';

const { Queue, Worker } = require('bullmq');
const { Redis } = require('ioredis');
const ROUNDS = Number(process.argv[2] ?? 200);

const server = await devkit.startRedisServer({ policy: 'noeviction', name: 'bench' });
const producer = new Redis(server.url);
const reader = new Redis(server.url);
const workerConn = new Redis(server.url, { maxRetriesPerRequest: null });
const queue = new Queue('bench', { connection: producer });
const worker = new Worker(
  'bench',
  async (job) => {
    await producer.xadd('bench:replies', '*', 'r', JSON.stringify({ id: job.data.id }));
  },
  { connection: workerConn, concurrency: 32 },
);
await worker.waitUntilReady();

const waiters = new Map();
let lastId = '$';
let reading = true;
const loop = (async () => {
  while (reading) {
    const res = await reader.xread('BLOCK', 200, 'STREAMS', 'bench:replies', lastId);
    if (!res) continue;
    for (const [, entries] of res) {
      for (const [id, fields] of entries) {
        lastId = id;
        const { id: jobId } = JSON.parse(fields[1]);
        waiters.get(jobId)?.();
      }
    }
  }
})();

async function one(i) {
  const started = performance.now();
  const done = new Promise((resolve) => waiters.set(String(i), resolve)); // waiter registered before add
  await queue.add('job', { id: String(i) }, { priority: 10, removeOnComplete: true });
  await done;
  waiters.delete(String(i));
  return performance.now() - started;
}

console.log(`bullmq round trip — ${machine()}`);
for (const inFlight of [1, 20]) {
  const times = [];
  let next = 0;
  const lanes = Array.from({ length: inFlight }, async () => {
    while (next < ROUNDS) times.push(await one(next++ + inFlight * 100000));
  });
  await Promise.all(lanes);
  const s = summary(times);
  console.log(`in flight ${String(inFlight).padStart(2)}: n=${s.n} p50 ${fmt(s.p50)} p99 ${fmt(s.p99)}`);
}
reading = false;
await loop;
await worker.close();
await queue.close();
for (const c of [producer, reader, workerConn]) c.disconnect();
await server.stop();
