import type { AsrTier } from '@olt/shared';

/** What the gateways know about one tier right now (from heartbeats and BullMQ counts). */
export interface TierLoad {
  /** Live workers of the tier (unexpired heartbeats). */
  workers: number;
  /** Estimated time a job queued now waits before a worker takes it. */
  waitMs: number;
  /** Over the wait bound (kept until the wait falls under the recovery bound: see TierCapacityMonitor). */
  overloaded: boolean;
}

export type TierChoiceReason = 'preferred' | 'spill' | 'all-busy' | 'no-workers' | 'pinned';

export interface TierChoice {
  tier: AsrTier;
  /** The plan's first tier: what the job wanted (idle pools of that tier wake on this demand). */
  wanted: AsrTier;
  reason: TierChoiceReason;
}

/**
 * The routing rule (docs/operations.md, "ASR tier routing"): walk the plan's tiers in order and take the
 * first with live workers that is not overloaded. When every tier with workers is overloaded, the one
 * that waits least; when none has workers, the plan's last tier, the floor every deployment runs.
 */
export function chooseTier(planTiers: readonly AsrTier[], load: ReadonlyMap<AsrTier, TierLoad>): TierChoice {
  const wanted = planTiers[0];
  const alive = planTiers.filter((tier) => (load.get(tier)?.workers ?? 0) > 0);
  const open = alive.find((tier) => !load.get(tier)!.overloaded);
  if (open) return { tier: open, wanted, reason: open === wanted ? 'preferred' : 'spill' };
  if (alive.length) {
    const least = alive.reduce((best, tier) =>
      load.get(tier)!.waitMs < load.get(best)!.waitMs ? tier : best,
    );
    return { tier: least, wanted, reason: 'all-busy' };
  }
  return { tier: planTiers[planTiers.length - 1], wanted, reason: 'no-workers' };
}
