// Replays lookups against a real redis-server (allkeys-lfu, the given maxmemory): GET per lookup, SET on a miss
// (what the gateway and worker do), optionally with the warmer writing predicted entries.
import { require, devkit } from '../lib.mjs';
import { valueFor } from './trace.mjs';

const Redis = require('ioredis');

/** Memory Redis needs for `n` entries of this trace (used_memory delta), measured on a scratch server. */
export async function calibrate(events, lookups, sizes) {
  const server = await devkit.startRedisServer({ policy: 'allkeys-lfu', name: 'replay-calibrate' });
  const redis = new Redis(server.url);
  try {
    const distinct = [...new Map(lookups.map((l) => [l.key, l])).values()];
    const out = new Map();
    for (const n of sizes) {
      await redis.flushall();
      const base = usedMemory(await redis.info('memory'));
      for (let i = 0; i < n; i++) {
        const l = distinct[i % distinct.length];
        const key = i < distinct.length ? l.key : `${l.key}:${i}`;
        await redis.set(key, valueFor(events[l.i].text, l.dst), 'EX', 604800);
      }
      out.set(n, usedMemory(await redis.info('memory')) - base);
    }
    return out;
  } finally {
    redis.disconnect();
    await server.stop();
  }
}

const usedMemory = (info) => Number(/used_memory:(\d+)/.exec(info)[1]);

export async function redisReplay(events, groups, { bytes, decayMinutes, logFactor = 10, warmer }) {
  const server = await devkit.startRedisServer({
    policy: 'allkeys-lfu',
    name: 'replay',
    extraArgs: ['--lfu-decay-time', String(decayMinutes), '--lfu-log-factor', String(logFactor)],
  });
  const redis = new Redis(server.url);
  try {
    const base = usedMemory(await redis.info('memory'));
    await redis.config('SET', 'maxmemory', String(base + bytes));
    const cache = {
      has: async (key) => (await redis.exists(key)) === 1, // EXISTS does not bump LFU counters
      insert: (key, _t, text, dst) => redis.set(key, valueFor(text, dst), 'EX', 604800),
    };
    const latencies = [];
    let hits = 0;
    for (const [i, event] of events.entries()) {
      let misses = 0;
      for (const { key, dst } of groups[i]) {
        const start = process.hrtime.bigint();
        const value = await redis.get(key);
        latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
        if (value !== null) {
          hits++;
          warmer?.noteHit(key);
        } else {
          misses++;
          await redis.set(key, valueFor(event.text, dst), 'EX', 604800);
        }
      }
      if (warmer) {
        warmer.spend(event.t_ms, misses);
        await warmer.after(event, cache);
      }
    }
    const stats = await redis.info('stats');
    return { hits, latencies, evicted: Number(/evicted_keys:(\d+)/.exec(stats)[1]) };
  } finally {
    redis.disconnect();
    await server.stop();
  }
}
