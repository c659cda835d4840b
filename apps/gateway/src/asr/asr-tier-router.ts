import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ASR_TIERS, ConfigService, Metrics, type AsrTier, type TenantPlan } from '@olt/shared';
import { TierCapacityMonitor } from './tier-capacity-monitor';
import { chooseTier, type TierChoice } from './tier-choice';

/**
 * Which ASR tier queue a job goes to. An explicit `asr.tier` on the gateway pins every job to that tier;
 * "auto" applies the routing rule (tier-choice.ts) to the tenant plan's tier list and the tiers' live
 * load (TierCapacityMonitor). Each choice is counted by wanted and chosen tier: idle pools wake on the
 * demand for their tier even while its jobs spill elsewhere.
 */
@Injectable()
export class AsrTierRouter implements OnModuleInit {
  constructor(
    private readonly capacity: TierCapacityMonitor,
    private readonly config: ConfigService,
    private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    // Every tier's demand series exists from the start: KEDA reads a missing series as a failure.
    for (const tier of ASR_TIERS)
      this.metrics.asrJobsRouted.inc({ wanted_tier: tier, tier, reason: 'preferred' }, 0);
  }

  async route(plan: TenantPlan): Promise<TierChoice> {
    const cfg = this.config.current;
    const choice: TierChoice =
      cfg.asr.tier !== 'auto'
        ? { tier: cfg.asr.tier, wanted: cfg.asr.tier, reason: 'pinned' }
        : chooseTier(cfg.asrRouting.planTiers[plan], await this.capacity.current());
    this.metrics.asrJobsRouted.inc({ wanted_tier: choice.wanted, tier: choice.tier, reason: choice.reason });
    return choice;
  }

  /** A reply's engine time, for the tier's wait estimate. */
  observe(tier: AsrTier, inferMs: number): void {
    this.capacity.observeJob(tier, inferMs);
  }
}
