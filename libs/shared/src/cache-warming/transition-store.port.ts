/** One learned successor of a context and its (decayed) weight. */
export interface Successor {
  next: string;
  score: number;
}

/**
 * Port: where phrase transitions live. Production keeps them in Redis (apps/cache), the replay benchmark and
 * unit tests in memory. Every implementation must stay bounded: at most `maxSuccessors` per context and at
 * most `maxContexts` contexts, dropping the weakest successor and the least recently used context.
 */
export interface TransitionStore {
  /** Adds `weight` to context → next and to the context's total. */
  bump(context: string, next: string, weight: number): Promise<void>;
  /** The context's strongest successors (best first) and its total weight; total 0 when unknown. */
  top(context: string, n: number): Promise<{ total: number; successors: Successor[] }>;
  /** Remembers a phrase's text so a warming job can translate it later. */
  rememberText(phraseId: string, text: string): Promise<void>;
  textOf(phraseId: string): Promise<string | undefined>;
}
