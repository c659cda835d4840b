// The warming policy of apps/cache, replayed: the same PhraseChain (libs/shared), an in-memory store with
// the same bounds, and "idle capacity" modelled as model calls per second left over after real misses.
import { require } from '../lib.mjs';
import { MODEL } from './trace.mjs';

const { PhraseChain, MemoryTransitionStore, translationCacheKey } = require('@olt/shared');

export class ReplayWarmer {
  constructor({
    order = 2,
    halfLifeMs = 30 * 60_000,
    limit = 3,
    minProbability = 0.25,
    callsPerSecond = 60,
    maxContexts = 200_000,
    maxSuccessors = 8,
    priorObservations = 2,
  } = {}) {
    this.store = new MemoryTransitionStore(maxContexts, maxSuccessors);
    this.chain = new PhraseChain(this.store, { order, halfLifeMs, fanIn: maxSuccessors, priorObservations });
    Object.assign(this, { order, limit, minProbability, callsPerSecond });
    this.history = new Map();
    this.window = -1;
    this.tokens = 0;
    this.calls = 0;
    this.warmed = new Set();
    this.warmedHits = 0;
  }

  /** Real misses use the model first; warming only gets what is left in this second. */
  spend(t, misses) {
    const window = Math.floor(t / 1000);
    if (window !== this.window) [this.window, this.tokens] = [window, this.callsPerSecond];
    this.tokens -= misses;
  }

  noteHit(key) {
    if (this.warmed.delete(key)) this.warmedHits++;
  }

  /** Learns the event and warms the likeliest next phrases for the stream's targets into `cache`. */
  async after(event, cache) {
    const scope = { tenant: event.tenant, stream: event.stream };
    const history = this.history.get(event.stream) ?? [];
    const id = await this.chain.observe(scope, history, event.text, event.t_ms);
    history.push(id);
    if (history.length > this.order) history.shift();
    this.history.set(event.stream, history);
    if (this.tokens <= 0) return;
    const predictions = await this.chain.predict(scope, history, event.t_ms, this.limit, this.minProbability);
    for (const p of predictions) {
      const text = await this.chain.textOf(p.phraseId);
      if (text === undefined) continue;
      for (const dst of event.targets) {
        if (dst === event.src || this.tokens <= 0) continue;
        const key = translationCacheKey(event.src, dst, MODEL, text);
        if (await cache.has(key)) continue;
        await cache.insert(key, event.t_ms, text, dst);
        this.tokens--;
        this.calls++;
        this.warmed.add(key);
      }
    }
  }
}
