import type { AsrTier, TierSetting } from '../config/schema';
import { findKnownModel } from '../model-store/model-catalog';
import type { GpuDevice, GpuInventory } from './gpu-device';
import {
  type ExecutionProviderChoice,
  type ExecutionProviderReport,
  expandExecutionProviders,
  formatExecutionProvider,
  GPU_EXECUTION_PROVIDERS,
} from './execution-providers';
import {
  byPrecisionSize,
  lowerPrecisions,
  selectTier,
  tierSpec,
  tiersFrom,
  usableVramMiB,
  type WorkloadKind,
} from './tier-table';

/** One model variant to try loading, on given providers. */
export interface ModelCandidate {
  tier: AsrTier;
  /** Name under models.dir or an absolute path. */
  model: string;
  /** A concrete precision ("fp16"), or "auto" for a local model whose variants are unknown. */
  precision: string;
  /** `name[:device]` strings for the engine, best first ("cuda:0", "cpu"). */
  executionProviders: string[];
}

/** What `planModels` needs to know; the model store answers the two questions about files. */
export interface PlanInput {
  kind: WorkloadKind;
  tier: TierSetting;
  model: string;
  precision: string;
  executionProviders: readonly string[];
  deviceId: number;
  /** hardware.vram_reserve, e.g. 0.2 */
  reserve: number;
  inventory: GpuInventory;
  /** The probe's answer for `providerChoices(...)`. */
  providers: ExecutionProviderReport;
  /** Precisions of a model present on disk (any order). */
  presentPrecisions(model: string): string[];
  /** Whether a missing variant of this model may be downloaded (known model, online, auto_download). */
  canDownload(model: string): boolean;
}

export interface ModelPlan {
  tier: AsrTier;
  /** "config" when the tier was set explicitly (it is also the queue consumed), "auto" when detected. */
  tierSource: 'config' | 'auto';
  /** The GPU this worker is pinned to (device_id), when a GPU provider loaded and a tool reported it. */
  gpu?: GpuDevice;
  usableVramMiB?: number;
  /** The first GPU provider that loaded, if any. */
  gpuExecutionProvider?: string;
  /** Variants to try, in order: the first that loads wins, the others are the step-down path. */
  candidates: ModelCandidate[];
  /** Why things were decided the way they were (logged at start, shown in readiness). */
  notes: string[];
}

/** The providers to probe for a config: the configured list, expanded, GPU ones pinned to device_id. */
export function providerChoices(configured: readonly string[], deviceId: number): ExecutionProviderChoice[] {
  return expandExecutionProviders(configured).map((c) =>
    ['cuda', 'tensorrt', 'dml'].includes(c.name) && c.deviceId === undefined ? { ...c, deviceId } : c,
  );
}

/**
 * Decides tier, model, precision and providers. Precedence (documented in docs/configuration.md):
 * - tier: an explicit value wins; "auto" = the best tier the pinned GPU's usable VRAM allows, "cpu" when no
 *   GPU provider loads.
 * - model: a name or path wins and is never swapped for another model; "auto" = the tier's model, and on
 *   memory pressure the models of the tiers below.
 * - precision: an explicit value wins (smaller ones follow as step-down); "auto" = the tier's precisions
 *   when present or downloadable, else what is on disk, largest first.
 */
export function planModels(input: PlanInput): ModelPlan {
  const notes: string[] = [];
  const choices = providerChoices(input.executionProviders, input.deviceId);
  const loaded = new Set(input.providers.available);
  const gpuChoice = choices.find(
    (c) => GPU_EXECUTION_PROVIDERS.has(c.name) && loaded.has(formatExecutionProvider(c)),
  );
  for (const miss of input.providers.unavailable) {
    if (miss.executionProvider !== 'cpu')
      notes.push(`${miss.executionProvider} did not load: ${miss.reason}`);
  }

  const gpu = gpuChoice ? pinnedGpu(input.inventory, gpuChoice.name, input.deviceId) : undefined;
  const usable = gpu ? usableVramMiB(gpu, input.reserve) : undefined;
  if (gpuChoice && !gpu) {
    notes.push(
      `${gpuChoice.name} loaded but no GPU with index ${input.deviceId} was reported by nvidia-smi/rocm-smi/xpu-smi: VRAM unknown`,
    );
  }

  let tier: AsrTier;
  const tierSource = input.tier === 'auto' ? 'auto' : 'config';
  if (input.tier !== 'auto') {
    tier = input.tier;
  } else if (!gpuChoice) {
    tier = 'cpu';
    notes.push('tier auto: no GPU execution provider loaded, so cpu');
  } else if (usable === undefined) {
    tier = 'low';
    notes.push('tier auto: GPU memory unknown, assuming low; set the tier to override');
  } else {
    tier = selectTier(usable);
    notes.push(
      `tier auto: ${gpu!.name} #${gpu!.index} has ${gpu!.freeMiB ?? '?'} of ${gpu!.totalMiB} MiB free, ` +
        `${usable} MiB usable after the ${Math.round(input.reserve * 100)} % reserve: ${tier}`,
    );
  }

  // Providers the probe proved unusable are not tried again for every model file.
  const gpuProviders = choices.map(formatExecutionProvider).filter((ep) => loaded.has(ep) || ep === 'cpu');
  const providersFor = (t: AsrTier) => (t === 'cpu' && tierSource === 'auto' ? ['cpu'] : gpuProviders);

  const candidates: ModelCandidate[] = [];
  const add = (c: ModelCandidate) => {
    const key = `${c.model}|${c.precision}|${c.executionProviders.join(',')}`;
    if (!candidates.some((x) => `${x.model}|${x.precision}|${x.executionProviders.join(',')}` === key)) {
      candidates.push(c);
    }
  };
  if (input.model !== 'auto') {
    const prefs = input.precision !== 'auto' ? [input.precision] : tierSpec(tier)[input.kind].precisions;
    for (const precision of precisionChain(input, input.model, prefs, input.precision !== 'auto')) {
      add({ tier, model: input.model, precision, executionProviders: providersFor(tier) });
    }
  } else {
    for (const spec of tiersFrom(tier)) {
      const choice = spec[input.kind];
      const prefs = input.precision !== 'auto' ? [input.precision] : choice.precisions;
      for (const precision of precisionChain(input, choice.model, prefs, input.precision !== 'auto')) {
        add({ tier: spec.tier, model: choice.model, precision, executionProviders: providersFor(spec.tier) });
      }
    }
  }
  return {
    tier,
    tierSource,
    ...(gpu ? { gpu } : {}),
    ...(usable !== undefined ? { usableVramMiB: usable } : {}),
    ...(gpuChoice ? { gpuExecutionProvider: gpuChoice.name } : {}),
    candidates,
    notes,
  };
}

/**
 * Precisions of one model to try, best first. Explicit: that one, then the smaller ones present or
 * downloadable. Auto: the preferred ones that are present; else, when something else is on disk, that
 * (a user's own download is used rather than fetching another variant); else the preferred ones to download.
 */
function precisionChain(
  input: PlanInput,
  model: string,
  prefs: readonly string[],
  explicit: boolean,
): string[] {
  const present = byPrecisionSize(input.presentPrecisions(model));
  // Models outside the catalog (the generated test models, a user's own export) keep the engine's "auto":
  // the largest variant on disk, as before tiers existed.
  if (!explicit && !findKnownModel(model)) return present.length ? present : ['auto'];
  const download = input.canDownload(model);
  const usable = (p: string) => present.includes(p) || download;
  const below = (from: readonly string[]) =>
    lowerPrecisions(from[from.length - 1]).filter((p) => !from.includes(p) && usable(p));
  if (explicit) return [prefs[0], ...below(prefs)];
  const presentPrefs = prefs.filter((p) => present.includes(p));
  if (presentPrefs.length) return [...presentPrefs, ...below(presentPrefs)];
  if (present.length) return present;
  if (download) return [...prefs, ...below(prefs)];
  // Nothing known about the files: let the engine pick ("auto") and name what is missing.
  return ['auto'];
}

/** The device_id GPU of the vendor the provider drives (CUDA/TensorRT: NVIDIA; WebGPU/DML: any vendor). */
function pinnedGpu(inventory: GpuInventory, provider: string, deviceId: number): GpuDevice | undefined {
  const vendors = provider === 'cuda' || provider === 'tensorrt' ? ['nvidia'] : ['nvidia', 'amd', 'intel'];
  for (const vendor of vendors) {
    const gpu = inventory.gpus.find((g) => g.vendor === vendor && g.index === deviceId);
    if (gpu) return gpu;
  }
  return undefined;
}
