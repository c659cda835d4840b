import { createHash } from 'node:crypto';
import { normaliseForCache } from '../cache/translation-cache';
import type { TransitionStore } from './transition-store.port';

export interface PhraseChainOptions {
  /** Markov order: contexts of the last 1..order phrases are learned and consulted (longest first). */
  order: number;
  /** Weights halve every half-life, so a channel's old habits fade (ms). */
  halfLifeMs: number;
  /** Successors consulted per context. */
  fanIn: number;
  /**
   * Observations a context needs before its estimate is trusted (p is shrunk by n/(n+prior)): one sighting
   * of "A then B" is weak evidence, and every wrong prediction costs a model call.
   */
  priorObservations: number;
}

/** Where a phrase was said: its stream, the stream's channel, and the tenant (widest scope). */
export interface PhraseScope {
  tenant: string;
  stream: string;
}

export interface Prediction {
  phraseId: string;
  /** Estimated probability that this phrase comes next (0..1). */
  probability: number;
}

/** Weights are 2^(age/halfLife) relative to a landmark; the landmark moves every EPOCH_HALF_LIVES. */
const EPOCH_HALF_LIVES = 256;

/** Stable id of a phrase: the normalised text's hash, independent of target language and model. */
export function phraseId(text: string): string {
  return createHash('sha256').update(normaliseForCache(text)).digest('hex').slice(0, 16);
}

/**
 * A stream's channel: the part of the stream id before the first "/" ("ch-12/3" → "ch-12"), so a streamer's
 * sessions (reconnects, co-streams) share what they taught the chain; an id without "/" is its own channel.
 */
export function channelOf(stream: string): string {
  const slash = stream.indexOf('/');
  return slash > 0 ? stream.slice(0, slash) : stream;
}

/**
 * Phrase → next-phrase transitions (a Markov chain of configurable order) learned per stream, per channel
 * and per tenant, with exponential decay. Forward decay keeps updates O(1): a new observation weighs
 * 2^((t − landmark)/halfLife) instead of every old weight being scaled down; ratios within a context are
 * what predictions use, so the landmark cancels out. The landmark moves every 256 half-lives (before
 * doubles overflow) and the previous epoch is read at its 2^-256 relative weight.
 */
export class PhraseChain {
  constructor(
    private readonly store: TransitionStore,
    private readonly options: PhraseChainOptions,
  ) {}

  /** Learns `text` as the successor of `history` (the scope's previous phrase ids, oldest first). */
  async observe(scope: PhraseScope, history: readonly string[], text: string, atMs: number): Promise<string> {
    const id = phraseId(text);
    const { epoch, weight } = this.weightAt(atMs);
    const writes: Promise<void>[] = [this.store.rememberText(id, text)];
    for (const context of this.contexts(scope, history))
      writes.push(this.store.bump(`${epoch}|${context}`, id, weight));
    await Promise.all(writes);
    return id;
  }

  /** The most likely next phrases after `history`, best first, at or above `minProbability`. */
  async predict(
    scope: PhraseScope,
    history: readonly string[],
    atMs: number,
    limit: number,
    minProbability: number,
  ): Promise<Prediction[]> {
    const { epoch } = this.weightAt(atMs);
    const best = new Map<string, number>();
    const contexts = this.contexts(scope, history);
    const reads = contexts.flatMap((context) => [
      this.store.top(`${epoch}|${context}`, this.options.fanIn),
      this.store.top(`${epoch - 1}|${context}`, this.options.fanIn),
    ]);
    const answers = await Promise.all(reads);
    for (let i = 0; i < contexts.length; i++) {
      const current = answers[2 * i];
      const previous = answers[2 * i + 1];
      const scale = 2 ** -EPOCH_HALF_LIVES;
      const total = current.total + previous.total * scale;
      if (total <= 0) continue;
      const scores = new Map<string, number>();
      for (const s of previous.successors) scores.set(s.next, s.score * scale);
      for (const s of current.successors) scores.set(s.next, (scores.get(s.next) ?? 0) + s.score);
      // Shrink estimates from contexts seen only a few (decayed) times toward zero.
      const unitWeight = this.weightAt(atMs).weight;
      const observations = total / unitWeight;
      const trust = observations / (observations + this.options.priorObservations);
      for (const [next, score] of scores) {
        const p = (score / total) * trust;
        if (p > (best.get(next) ?? 0)) best.set(next, p);
      }
    }
    return [...best]
      .filter(([, p]) => p >= minProbability)
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([id, probability]) => ({ phraseId: id, probability }));
  }

  textOf(id: string): Promise<string | undefined> {
    return this.store.textOf(id);
  }

  /** Context ids, most specific first: per stream and per channel for orders `order`..1, then tenant order 1. */
  private contexts(scope: PhraseScope, history: readonly string[]): string[] {
    const out: string[] = [];
    const channel = channelOf(scope.stream);
    const maxOrder = Math.min(this.options.order, history.length);
    for (let k = maxOrder; k >= 1; k--) {
      const tail = history.slice(history.length - k).join('>');
      out.push(`s:${scope.tenant}:${scope.stream}:${tail}`);
      if (channel !== scope.stream) out.push(`c:${scope.tenant}:${channel}:${tail}`);
    }
    if (history.length > 0) out.push(`t:${scope.tenant}:${history[history.length - 1]}`);
    return out;
  }

  private weightAt(atMs: number): { epoch: number; weight: number } {
    const halfLives = atMs / this.options.halfLifeMs;
    const epoch = Math.floor(halfLives / EPOCH_HALF_LIVES);
    return { epoch, weight: 2 ** (halfLives - epoch * EPOCH_HALF_LIVES) };
  }
}
