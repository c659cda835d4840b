import type { Redis } from 'ioredis';
import { mtLanguagesKey } from '@olt/shared';

/**
 * Announces the FLORES-200 codes this worker's model can translate into, under a key that expires unless
 * refreshed (like the heartbeat): the gateway's ListLanguages reports MT targets from the live workers'
 * announcements, so a deployment running a model with fewer languages says so.
 */
export class LanguageAnnouncer {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    private readonly workerId: string,
    private readonly languages: readonly string[],
    private readonly intervalMs: number,
  ) {}

  async start(): Promise<void> {
    await this.announce();
    this.timer = setInterval(() => void this.announce().catch(() => undefined), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.redis.del(mtLanguagesKey(this.workerId)).catch(() => undefined);
  }

  private async announce(): Promise<void> {
    await this.redis.set(
      mtLanguagesKey(this.workerId),
      JSON.stringify(this.languages),
      'PX',
      this.intervalMs * 3,
    );
  }
}
