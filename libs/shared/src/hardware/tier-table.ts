import type { AsrTier } from '../config/schema';
import type { GpuDevice } from './gpu-device';

export type WorkloadKind = 'asr' | 'translate';

export interface TierModelChoice {
  model: string;
  /** Precisions for this tier, preferred first. */
  precisions: readonly string[];
}

export interface TierSpec {
  tier: AsrTier;
  /** Usable VRAM (after the reserve) this tier needs, in MiB. */
  minUsableMiB: number;
  asr: TierModelChoice;
  translate: TierModelChoice;
}

const GIB = 1024;

/** The defaults a user gets (DESIGN.md "Models and tiers"), best tier first. */
export const TIER_TABLE: readonly TierSpec[] = [
  {
    tier: 'high',
    minUsableMiB: 6 * GIB,
    asr: { model: 'whisper-large-v3-turbo', precisions: ['fp16'] },
    translate: { model: 'nllb-200-distilled-600M', precisions: ['fp16'] },
  },
  {
    tier: 'medium',
    minUsableMiB: 4 * GIB,
    asr: { model: 'whisper-small', precisions: ['fp16', 'int8'] },
    translate: { model: 'nllb-200-distilled-600M', precisions: ['int8'] },
  },
  {
    tier: 'low',
    minUsableMiB: 2 * GIB,
    asr: { model: 'whisper-base', precisions: ['int8'] },
    translate: { model: 'nllb-200-distilled-600M', precisions: ['q4', 'int8'] },
  },
  {
    tier: 'cpu',
    minUsableMiB: 0,
    asr: { model: 'whisper-base', precisions: ['int8'] },
    translate: { model: 'nllb-200-distilled-600M', precisions: ['int8'] },
  },
];

export function tierSpec(tier: AsrTier): TierSpec {
  return TIER_TABLE.find((t) => t.tier === tier) ?? TIER_TABLE[TIER_TABLE.length - 1];
}

/** The tier and every tier below it, best first (the step-down order). */
export function tiersFrom(tier: AsrTier): TierSpec[] {
  return TIER_TABLE.slice(TIER_TABLE.findIndex((t) => t.tier === tier));
}

/**
 * VRAM a worker may plan with: free memory minus the reserve, a share of the card's total (DESIGN.md: keep
 * 20 % in reserve). When a tool reports no free figure the whole card is assumed free. Never negative.
 */
export function usableVramMiB(gpu: GpuDevice, reserve: number): number {
  const free = gpu.freeMiB ?? gpu.totalMiB;
  return Math.max(0, Math.floor(free - reserve * gpu.totalMiB));
}

/** Whether the GPU's free memory is already inside the reserve: nothing more should be loaded on it. */
export function underReserve(gpu: GpuDevice, reserve: number): boolean {
  return gpu.freeMiB !== undefined && gpu.freeMiB < reserve * gpu.totalMiB;
}

/** The best tier whose need fits the usable VRAM (high ≥ 6 GiB, medium ≥ 4, low ≥ 2, else cpu). */
export function selectTier(usableMiB: number): AsrTier {
  return (TIER_TABLE.find((t) => usableMiB >= t.minUsableMiB) ?? TIER_TABLE[TIER_TABLE.length - 1]).tier;
}

/** Precisions from largest to smallest: the order a step-down walks. Variants map onto a rung. */
const LADDER_RANK: Record<string, number> = {
  fp32: 0,
  fp16: 1,
  int8: 2,
  q8: 2,
  quantized: 2,
  uint8: 2,
  q4f16: 3,
  q4: 3,
  bnb4: 3,
};
const LADDER = ['fp32', 'fp16', 'int8', 'q4'];

/** The standard precisions below `precision`, largest first ("fp16" → int8, q4). */
export function lowerPrecisions(precision: string): string[] {
  const rank = LADDER_RANK[precision] ?? -1;
  return LADDER.filter((p) => LADDER_RANK[p] > rank);
}

/** Sorts precisions largest first (unknown names last, order kept). */
export function byPrecisionSize(precisions: readonly string[]): string[] {
  return [...precisions].sort((a, b) => (LADDER_RANK[a] ?? 9) - (LADDER_RANK[b] ?? 9));
}
