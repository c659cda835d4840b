// Simulated cache policies over entry counts. Each admits on miss (the worker writes every translation).
import { rng } from './random.mjs';

export class NoCache {
  name = 'no cache';
  access() {
    return false;
  }
  insert() {
    return false;
  }
  has() {
    return false;
  }
}

/** Exact LRU. */
export class Lru {
  constructor(capacity) {
    this.capacity = capacity;
    this.map = new Map();
    this.name = 'LRU';
  }
  has(key) {
    return this.map.has(key);
  }
  access(key) {
    if (this.map.has(key)) {
      this.map.delete(key);
      this.map.set(key, 1);
      return true;
    }
    this.insert(key);
    return false;
  }
  insert(key) {
    if (this.map.has(key)) return false;
    this.map.set(key, 1);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value);
    return true;
  }
}

const LFU_INIT_VAL = 5;
const POOL = 16;

/**
 * Redis 7 allkeys-lfu, modelled after evict.c: 8-bit logarithmic counter (new keys start at 5, an access
 * increments with probability 1/((c−5)·log_factor+1)), decremented by one per lfu-decay-time minutes since
 * the key's last access (evaluated lazily on access and when sampled), eviction from a 16-entry pool fed
 * with maxmemory-samples random keys. Time is the trace's clock, so decay is measured in trace minutes —
 * a real server cannot be run at trace speed (its LFU clock is wall-clock minutes).
 */
export class RedisLfuModel {
  constructor(capacity, { logFactor = 10, decayMinutes = 1, samples = 5, seed = 7 } = {}) {
    Object.assign(this, { capacity, logFactor, decayMinutes, samples });
    this.random = rng(seed);
    this.keys = [];
    this.entries = new Map(); // key → { pos, counter, minute }
    this.pool = []; // { key, idle } ascending idle
    this.name = `Redis LFU model (log ${logFactor}, decay ${decayMinutes ? `${decayMinutes} min` : 'off'})`;
  }
  has(key) {
    return this.entries.has(key);
  }
  decayed(e, minute) {
    if (!this.decayMinutes) return e.counter;
    const periods = Math.floor((minute - e.minute) / this.decayMinutes);
    return periods > e.counter ? 0 : e.counter - periods;
  }
  touch(e, minute) {
    let c = this.decayed(e, minute);
    if (c < 255) {
      const base = Math.max(0, c - LFU_INIT_VAL);
      if (this.random() < 1 / (base * this.logFactor + 1)) c++;
    }
    e.counter = c;
    e.minute = minute;
  }
  access(key, t) {
    const minute = Math.floor(t / 60_000);
    const e = this.entries.get(key);
    if (e) {
      this.touch(e, minute);
      return true;
    }
    this.insert(key, t);
    return false;
  }
  insert(key, t) {
    if (this.entries.has(key)) return false;
    const minute = Math.floor(t / 60_000);
    while (this.entries.size >= this.capacity) this.evict(minute);
    this.entries.set(key, { pos: this.keys.length, counter: LFU_INIT_VAL, minute });
    this.keys.push(key);
    return true;
  }
  evict(minute) {
    for (let s = 0; s < this.samples; s++) {
      const key = this.keys[Math.floor(this.random() * this.keys.length)];
      if (this.pool.some((p) => p.key === key)) continue;
      const idle = 255 - this.decayed(this.entries.get(key), minute);
      this.pool.push({ key, idle });
    }
    this.pool.sort((a, b) => a.idle - b.idle);
    if (this.pool.length > POOL) this.pool.splice(0, this.pool.length - POOL);
    while (this.pool.length) {
      const { key } = this.pool.pop();
      if (this.entries.has(key)) {
        this.remove(key);
        return;
      }
    }
  }
  remove(key) {
    const e = this.entries.get(key);
    const lastKey = this.keys.pop();
    if (lastKey !== key) {
      this.keys[e.pos] = lastKey;
      this.entries.get(lastKey).pos = e.pos;
    }
    this.entries.delete(key);
  }
}

/**
 * Belady's MIN with bypass: knows every future access; on a miss it keeps the entries used soonest and
 * does not even admit an entry whose next use is later than all of them (or never). No cache that does not
 * predict can beat it.
 */
export function beladyHits(lookups, capacity) {
  const nextUse = new Array(lookups.length);
  const seen = new Map();
  for (let i = lookups.length - 1; i >= 0; i--) {
    nextUse[i] = seen.get(lookups[i].key) ?? Infinity;
    seen.set(lookups[i].key, i);
  }
  const inCache = new Map(); // key → next use
  const heap = new MaxHeap(); // (nextUse, key), stale entries skipped
  let hits = 0;
  for (let i = 0; i < lookups.length; i++) {
    const { key } = lookups[i];
    const next = nextUse[i];
    if (inCache.has(key)) {
      hits++;
      if (next === Infinity) {
        inCache.delete(key);
        continue;
      }
      inCache.set(key, next);
      heap.push(next, key);
      continue;
    }
    if (next === Infinity) continue;
    if (inCache.size >= capacity) {
      while (heap.size && inCache.get(heap.peekKey()) !== heap.peekNext()) heap.pop();
      if (heap.peekNext() <= next) continue; // everything cached is needed sooner: bypass
      inCache.delete(heap.pop());
    }
    inCache.set(key, next);
    heap.push(next, key);
  }
  return hits;
}

class MaxHeap {
  n = [];
  k = [];
  get size() {
    return this.n.length;
  }
  peekNext() {
    return this.n[0];
  }
  peekKey() {
    return this.k[0];
  }
  push(next, key) {
    let i = this.n.length;
    this.n.push(next);
    this.k.push(key);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.n[p] >= this.n[i]) break;
      this.swap(i, p);
      i = p;
    }
  }
  pop() {
    const key = this.k[0];
    const lastN = this.n.pop();
    const lastK = this.k.pop();
    if (this.n.length) {
      this.n[0] = lastN;
      this.k[0] = lastK;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.n.length && this.n[l] > this.n[m]) m = l;
        if (r < this.n.length && this.n[r] > this.n[m]) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return key;
  }
  swap(a, b) {
    [this.n[a], this.n[b]] = [this.n[b], this.n[a]];
    [this.k[a], this.k[b]] = [this.k[b], this.k[a]];
  }
}
