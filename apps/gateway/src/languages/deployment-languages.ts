import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { QUEUE_REDIS, listLanguages, mtLanguagesPattern, type Language__Output } from '@olt/shared';

/** How long an answer is reused: ListLanguages and TranslateText must not SCAN Redis on every call. */
const FRESH_MS = 2000;

/**
 * What this deployment can translate into right now: the union of the FLORES-200 codes that live translate
 * workers announced for their loaded models (keys expire with the worker). Empty when no worker runs.
 * One instance per gateway, so the gRPC, REST and TranslateText paths share one cached answer.
 */
@Injectable()
export class DeploymentLanguages {
  private cached?: { at: number; codes: ReadonlySet<string> };

  constructor(@Inject(QUEUE_REDIS) private readonly redis: Redis) {}

  /**
   * Every known language with its codes; `asrSource` = Whisper knows it, `mtTarget` = a live translate
   * worker's model has its language token (ListLanguages and GET /v1/languages).
   */
  async catalogue(): Promise<Language__Output[]> {
    const targets = await this.mtTargets();
    return listLanguages().map((l) => ({
      code: l.bcp47,
      floresCode: l.flores,
      whisperCode: l.whisper,
      name: l.name,
      asrSource: l.whisper !== '',
      mtTarget: l.flores !== '' && targets.has(l.flores),
    }));
  }

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
