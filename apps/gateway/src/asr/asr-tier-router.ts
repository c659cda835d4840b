import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { ConfigService, QUEUE_REDIS, listWorkers } from '@olt/shared';

/** Best first: with `asr.tier = "auto"` the gateway sends work to the best tier that has live workers. */
const TIER_ORDER = ['high', 'medium', 'low', 'cpu'];
const REFRESH_MS = 5000;

/**
 * Which ASR tier queue this gateway feeds. An explicit `asr.tier` wins; "auto" follows the tiers the
 * workers announce in their heartbeats (each worker resolves its own tier from its GPU), refreshed every
 * few seconds so a pool scaling to zero or coming up is noticed without a restart.
 */
@Injectable()
export class AsrTierRouter {
  private cached?: { tier: string; at: number };

  constructor(
    @Inject(QUEUE_REDIS) private readonly redis: Redis,
    private readonly config: ConfigService,
  ) {}

  async tier(): Promise<string> {
    const configured = this.config.current.asr.tier;
    if (configured !== 'auto') return configured;
    if (this.cached && Date.now() - this.cached.at < REFRESH_MS) return this.cached.tier;
    const tiers = new Set((await listWorkers(this.redis, 'asr')).map((w) => w.tier));
    // No live worker yet: queue for the CPU tier, which every deployment can run.
    const tier = TIER_ORDER.find((t) => tiers.has(t)) ?? 'cpu';
    this.cached = { tier, at: Date.now() };
    return tier;
  }
}
