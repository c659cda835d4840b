import type { Successor, TransitionStore } from './transition-store.port';

interface Context {
  total: number;
  successors: Map<string, number>;
}

/** In-memory TransitionStore with hard bounds (LRU over contexts and texts, weakest successor dropped). */
export class MemoryTransitionStore implements TransitionStore {
  private readonly contexts = new Map<string, Context>();
  private readonly texts = new Map<string, string>();

  constructor(
    private readonly maxContexts: number,
    private readonly maxSuccessors: number,
    private readonly maxTexts = maxContexts,
  ) {}

  get size(): { contexts: number; texts: number; largestContext: number } {
    let largestContext = 0;
    for (const c of this.contexts.values()) largestContext = Math.max(largestContext, c.successors.size);
    return { contexts: this.contexts.size, texts: this.texts.size, largestContext };
  }

  bump(context: string, next: string, weight: number): Promise<void> {
    let ctx = this.contexts.get(context);
    if (ctx) this.contexts.delete(context);
    else ctx = { total: 0, successors: new Map() };
    this.contexts.set(context, ctx); // most recently used last
    ctx.total += weight;
    ctx.successors.set(next, (ctx.successors.get(next) ?? 0) + weight);
    if (ctx.successors.size > this.maxSuccessors) {
      let weakest: string | undefined;
      let weakestScore = Infinity;
      for (const [id, score] of ctx.successors)
        if (score < weakestScore) [weakest, weakestScore] = [id, score];
      if (weakest !== undefined) ctx.successors.delete(weakest);
    }
    if (this.contexts.size > this.maxContexts) this.contexts.delete(this.contexts.keys().next().value!);
    return Promise.resolve();
  }

  top(context: string, n: number): Promise<{ total: number; successors: Successor[] }> {
    const ctx = this.contexts.get(context);
    if (!ctx) return Promise.resolve({ total: 0, successors: [] });
    const successors = [...ctx.successors]
      .map(([next, score]) => ({ next, score }))
      .sort((a, b) => b.score - a.score)
      .slice(0, n);
    return Promise.resolve({ total: ctx.total, successors });
  }

  rememberText(phraseId: string, text: string): Promise<void> {
    this.texts.delete(phraseId);
    this.texts.set(phraseId, text);
    if (this.texts.size > this.maxTexts) this.texts.delete(this.texts.keys().next().value!);
    return Promise.resolve();
  }

  textOf(phraseId: string): Promise<string | undefined> {
    return Promise.resolve(this.texts.get(phraseId));
  }
}
