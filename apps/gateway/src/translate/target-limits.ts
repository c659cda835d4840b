import type { LimitsConfig, TenantPlan } from '@olt/shared';

/** Target languages a tenant of `plan` may ask for at once: its plan's limit, capped by limits.max_targets. */
export function maxTargetsFor(limits: LimitsConfig, plan: TenantPlan): number {
  return Math.min(limits.maxTargets, limits.maxTargetsByPlan[plan]);
}
