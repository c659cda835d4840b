#!/usr/bin/env node
// Replays a trace against cache policies at equal memory and prints hit rate, model calls saved (warming
// calls counted as spent) and lookup latency.
//   npm run build && node bench/cache-replay/replay.mjs [--trace FILE] [--sizes 1000,10000,100000]
//     [--decays 1,5,20,60,0] [--redis-decays 1,0] [--no-redis]
// Any trace in the issue-14 format works: JSON lines sorted by t_ms, {t_ms, tenant, stream, src, text, targets}.
import { parseArgs } from 'node:util';
import { machine, percentile } from '../lib.mjs';
import { groupByEvent, lookupsOf, readTrace } from './trace.mjs';
import { Lru, RedisLfuModel, beladyHits } from './policies.mjs';
import { ReplayWarmer } from './warming.mjs';
import { calibrate, redisReplay } from './redis-replay.mjs';

const { values: args } = parseArgs({
  options: {
    trace: { type: 'string', default: 'bench/cache-replay/traces/streams-20m.jsonl.gz' },
    sizes: { type: 'string', default: '1000,10000,100000' },
    decays: { type: 'string', default: '1,5,10,30,0' },
    'log-factor': { type: 'string', default: '10' },
    'redis-decays': { type: 'string', default: '1,0' },
    'warm-decay': { type: 'string', default: '10' },
    'calls-per-s': { type: 'string', default: '60' },
    order: { type: 'string', default: '2' },
    'min-p': { type: 'string', default: '0.3' },
    prior: { type: 'string', default: '3' },
    'warm-only': { type: 'boolean', default: false },
    'no-redis': { type: 'boolean', default: false },
  },
});
const list = (s) => s.split(',').filter(Boolean).map(Number);

const events = readTrace(args.trace);
const lookups = lookupsOf(events);
const groups = groupByEvent(events, lookups);
const distinct = new Set(lookups.map((l) => l.key)).size;
const ceiling = lookups.length - distinct;
console.log(
  `trace ${args.trace}: ${events.length} segments, ${lookups.length} lookups, ${distinct} distinct keys`,
);
console.log(`machine: ${machine()}`);
console.log(`ceiling (every first sighting a miss): ${pct(ceiling / lookups.length)} hit rate`);

const sizes = list(args.sizes);
const bytesFor = args['no-redis'] ? new Map() : await calibrate(events, lookups, sizes);
const warmerOptions = {
  order: Number(args.order),
  callsPerSecond: Number(args['calls-per-s']),
  minProbability: Number(args['min-p']),
  priorObservations: Number(args.prior),
};
const rows = [];

for (const size of sizes) {
  const mib = bytesFor.has(size) ? (bytesFor.get(size) / 2 ** 20).toFixed(1) : '–';
  const belady = beladyHits(lookups, size);
  const add = (policy, hits, extra = {}) => {
    const warmCalls = extra.warmCalls ?? 0;
    rows.push({
      size,
      mib,
      policy,
      hits,
      rate: hits / lookups.length,
      ofBelady: hits / belady,
      saved: (hits - warmCalls) / lookups.length,
      ...extra,
    });
  };
  add('no cache', 0);
  add('LRU (exact)', simulate(new Lru(size)).hits, simulate.last);
  for (const d of args['warm-only'] ? [] : list(args.decays)) {
    const r = simulate(new RedisLfuModel(size, { decayMinutes: d, logFactor: Number(args['log-factor']) }));
    add(`Redis LFU model, decay ${d ? `${d} min` : 'off'}`, r.hits, r);
  }
  const warmDecay = Number(args['warm-decay']);
  const warmer = new ReplayWarmer(warmerOptions);
  const w = await simulateWarm(
    new RedisLfuModel(size, { decayMinutes: warmDecay, logFactor: Number(args['log-factor']) }),
    warmer,
  );
  add(`LFU (decay ${warmDecay} min) + warming`, w.hits, {
    ...w,
    warmCalls: warmer.calls,
    warmedHits: warmer.warmedHits,
  });
  if (!args['no-redis']) {
    for (const d of list(args['redis-decays'])) {
      const r = await redisReplay(events, groups, {
        bytes: bytesFor.get(size),
        decayMinutes: d,
        logFactor: Number(args['log-factor']),
      });
      add(`real redis-server allkeys-lfu, lfu-decay-time ${d}`, r.hits, {
        latencies: r.latencies,
        evicted: r.evicted,
      });
    }
    const rw = new ReplayWarmer(warmerOptions);
    const r = await redisReplay(events, groups, {
      bytes: bytesFor.get(size),
      decayMinutes: 1,
      logFactor: Number(args['log-factor']),
      warmer: rw,
    });
    add('real redis-server allkeys-lfu + warming', r.hits, {
      latencies: r.latencies,
      warmCalls: rw.calls,
      warmedHits: rw.warmedHits,
    });
  }
  add("Belady's MIN (offline optimum)", belady);
  add('ceiling (first sightings miss)', ceiling);
}

console.log();
console.log(
  '| entries | MiB | policy | hit rate | % of MIN | model calls saved (net) | warming calls | warmed hits | lookup p50 / p99 |',
);
console.log('| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  const lat = r.latencies?.length
    ? `${fmtLat(percentile(r.latencies, 50), r.unit)} / ${fmtLat(percentile(r.latencies, 99), r.unit)}`
    : '–';
  console.log(
    `| ${r.size} | ${r.mib} | ${r.policy} | ${pct(r.rate)} | ${pct(r.ofBelady)} | ${pct(r.saved)} | ${r.warmCalls ?? '–'} | ${r.warmedHits ?? '–'} | ${lat} |`,
  );
}

function simulate(policy) {
  const latencies = [];
  let hits = 0;
  for (const l of lookups) {
    const start = process.hrtime.bigint();
    if (policy.access(l.key, l.t)) hits++;
    latencies.push(Number(process.hrtime.bigint() - start) / 1e3);
  }
  simulate.last = { latencies, unit: 'µs' };
  return { hits, latencies, unit: 'µs' };
}

async function simulateWarm(policy, warmer) {
  const cache = { has: async (k) => policy.has(k), insert: async (k, t) => policy.insert(k, t) };
  const latencies = [];
  let hits = 0;
  for (const [i, event] of events.entries()) {
    let misses = 0;
    for (const l of groups[i]) {
      const start = process.hrtime.bigint();
      const hit = policy.access(l.key, l.t);
      latencies.push(Number(process.hrtime.bigint() - start) / 1e3);
      if (hit) {
        hits++;
        warmer.noteHit(l.key);
      } else misses++;
    }
    warmer.spend(event.t_ms, misses);
    await warmer.after(event, cache);
  }
  return { hits, latencies, unit: 'µs' };
}

function pct(x) {
  return `${(100 * x).toFixed(1)}%`;
}
function fmtLat(v, unit = 'ms') {
  return unit === 'µs' ? `${v.toFixed(1)} µs` : `${v.toFixed(2)} ms`;
}
