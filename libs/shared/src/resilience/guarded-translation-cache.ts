import type { TranslationCache } from '../cache/translation-cache';
import type { DependencyBreaker } from './circuit-breaker';

/**
 * The translation cache behind a circuit breaker, degrading to "no cache": a lookup that fails, passes its
 * deadline or meets an open circuit is a miss, and a write that does is skipped, so a cache outage costs
 * model time, never a wait or an error.
 */
export class GuardedTranslationCache implements TranslationCache {
  constructor(
    private readonly inner: TranslationCache,
    private readonly breaker: DependencyBreaker,
    private readonly onSkipped: (op: 'get' | 'set', err: unknown) => void = () => undefined,
  ) {}

  async get(key: string): Promise<string | undefined> {
    try {
      return await this.breaker.run(() => this.inner.get(key));
    } catch (err) {
      this.onSkipped('get', err);
      return undefined;
    }
  }

  async set(key: string, text: string, ttlSeconds: number): Promise<void> {
    try {
      await this.breaker.run(() => this.inner.set(key, text, ttlSeconds));
    } catch (err) {
      this.onSkipped('set', err);
    }
  }
}
