import type { Redis } from 'ioredis';
import { mtLanguagesPattern } from '@olt/shared';

/** How long an answer is reused: ListLanguages and TranslateText must not SCAN Redis on every call. */
const FRESH_MS = 2000;

/**
 * What this deployment can translate into right now: the union of the FLORES-200 codes that live translate
 * workers announced for their loaded models (keys expire with the worker). Empty when no worker runs.
 */
export class DeploymentLanguages {
  private cached?: { at: number; codes: ReadonlySet<string> };

  constructor(private readonly redis: Redis) {}

  async mtTargets(): Promise<ReadonlySet<string>> {
    if (this.cached && Date.now() - this.cached.at < FRESH_MS) return this.cached.codes;
    const codes = new Set<string>();
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', mtLanguagesPattern(), 'COUNT', 200);
      cursor = next;
      if (keys.length) {
        for (const value of await this.redis.mget(...keys)) {
          if (value) for (const code of JSON.parse(value) as string[]) codes.add(code);
        }
      }
    } while (cursor !== '0');
    // An empty answer (workers still starting) is not kept: the next call looks again.
    if (codes.size) this.cached = { at: Date.now(), codes };
    return codes;
  }
}
