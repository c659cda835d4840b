import type { AppConfig, AsrTier } from '../config/schema';
import type { ModelInfo } from '../engines';
import type { InferenceThreadSettings } from '../inference-threads/inference-thread-settings';
import { PeriodicProgressLines } from '../model-store/download-progress';
import { filePrecision } from '../model-store/model-catalog';
import { ModelStore } from '../model-store/model-store';
import { type CommandRunner, ExecFileCommandRunner } from './command-runner';
import {
  type ExecutionProviderReport,
  GPU_EXECUTION_PROVIDERS,
  probeExecutionProviders,
} from './execution-providers';
import type { GpuDevice, GpuInventory } from './gpu-device';
import { GpuDetector } from './gpu-detector';
import { type ModelCandidate, planModels, providerChoices } from './model-plan';
import { type CandidateLoader, loadWithStepDown, type StepDown } from './model-step-down';
import { underReserve, type WorkloadKind } from './tier-table';

/** Injection token of the worker's `WorkerPlacement` (what runs where, after detection and step-downs). */
export const WORKER_PLACEMENT = Symbol('WorkerPlacement');

/** Where a worker's model ended up: published in readiness, metrics labels, heartbeat and logs. */
export interface WorkerPlacement {
  kind: WorkloadKind;
  /** The tier whose queue the worker consumes: the configured one, or the one "auto" resolved to. */
  tier: AsrTier;
  tierSource: 'config' | 'auto';
  /** "cpu", or the pinned GPU as `<vendor>:<index>` ("nvidia:0"), or `gpu:<device_id>` when no tool saw it. */
  device: string;
  gpu?: GpuDevice & { usableMiB: number };
  model: string;
  precision: string;
  executionProvider: string;
  stepDowns: StepDown[];
  providers: ExecutionProviderReport;
  notes: string[];
  /** Engine threads and ONNX Runtime thread settings, as resolved at start. */
  inferenceThreads?: InferenceThreadSettings;
}

export interface EngineLike {
  readonly info: ModelInfo;
  dispose(): Promise<void>;
}

interface PlacementLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface PlaceWorkerModelOptions<E extends EngineLike> {
  kind: WorkloadKind;
  config: AppConfig;
  /** Loads the engine from a model directory for one candidate (precision, providers). */
  loadEngine(dir: string, candidate: ModelCandidate): Promise<E>;
  /** One small inference (only called when hardware.warm_up is on). */
  warmUp(engine: E): Promise<void>;
  log: PlacementLog;
  onStepDown?(step: StepDown): void;
  /** Default: execFile. Tests pass recorded outputs. */
  commandRunner?: CommandRunner;
  /** Default: a store on models.* of the config, logging download progress as lines. */
  store?: ModelStore;
}

/**
 * A worker's start-up: detect GPUs, probe execution providers, plan tier/model/precision, make the model
 * present (download on first use when allowed) and load it, stepping down under memory pressure.
 */
export async function placeWorkerModel<E extends EngineLike>(
  options: PlaceWorkerModelOptions<E>,
): Promise<{ engine: E; placement: WorkerPlacement }> {
  const { config, kind, log } = options;
  const section = kind === 'asr' ? config.asr : config.translate;
  const hw = config.hardware;
  const detector = new GpuDetector(options.commandRunner ?? new ExecFileCommandRunner(), hw.smiTimeoutMs);
  const inventory: GpuInventory = hw.detectGpus
    ? await detector.detect()
    : { gpus: [], notes: ['hardware.detect_gpus is false'] };
  const providers = await probeExecutionProviders(
    providerChoices(section.executionProviders, section.deviceId),
  );
  const store =
    options.store ??
    new ModelStore({
      dir: config.models.dir,
      hubUrl: config.models.hubUrl,
      offline: config.models.offline,
      autoDownload: config.models.autoDownload,
      progress: new PeriodicProgressLines((line) => log.info({ kind }, line)),
    });

  const plan = planModels({
    kind,
    tier: section.tier,
    model: section.model,
    precision: section.precision,
    executionProviders: section.executionProviders,
    deviceId: section.deviceId,
    reserve: hw.vramReserve,
    inventory,
    providers,
    presentPrecisions: (m) => store.presentPrecisions(m),
    canDownload: (m) => store.canDownload(m),
  });
  const notes = [...inventory.notes, ...plan.notes];
  log.info(
    {
      kind,
      gpus: inventory.gpus,
      executionProviders: providers,
      tier: plan.tier,
      tierSource: plan.tierSource,
      candidates: plan.candidates,
      notes,
    },
    `hardware: ${inventory.gpus.length} GPU(s); providers loaded: ${providers.available.join(', ') || 'none'}; ` +
      `tier ${plan.tier} (${plan.tierSource})`,
  );

  const loader: CandidateLoader<E> = {
    load: async (candidate) =>
      options.loadEngine(await store.ensure(candidate.model, candidate.precision), {
        ...candidate,
        // The engines' file resolver knows "q8" by its file name, "quantized".
        precision: filePrecision(candidate.precision),
      }),
    warmUp: hw.warmUp ? (engine) => options.warmUp(engine) : undefined,
    dispose: (engine) => engine.dispose(),
    memoryPressure: async (candidate) => {
      const provider = (candidate.executionProviders[0] ?? 'cpu').split(':')[0];
      if (!plan.gpu || !GPU_EXECUTION_PROVIDERS.has(provider) || !hw.detectGpus) return undefined;
      // Free memory changes as other processes (and our failed attempts) come and go: ask again now.
      const now = (await detector.detect()).gpus.find(
        (g) => g.vendor === plan.gpu!.vendor && g.index === plan.gpu!.index,
      );
      if (!now || !underReserve(now, hw.vramReserve)) return undefined;
      return `free VRAM ${now.freeMiB} MiB is under the ${Math.round(hw.vramReserve * 100)} % reserve of ${now.totalMiB} MiB`;
    },
    onStepDown: (step) => {
      log.warn(
        { kind, ...step },
        `model step-down under memory pressure: ${step.from} -> ${step.to} (${step.reason})`,
      );
      options.onStepDown?.(step);
    },
  };
  const loaded = await loadWithStepDown(plan.candidates, loader);
  const { candidate, engine } = loaded;
  const onCpu = engine.info.executionProvider === 'cpu';
  const placement: WorkerPlacement = {
    kind,
    tier: plan.tierSource === 'config' ? plan.tier : candidate.tier,
    tierSource: plan.tierSource,
    device: onCpu ? 'cpu' : plan.gpu ? `${plan.gpu.vendor}:${plan.gpu.index}` : `gpu:${section.deviceId}`,
    ...(plan.gpu && !onCpu ? { gpu: { ...plan.gpu, usableMiB: plan.usableVramMiB ?? 0 } } : {}),
    model: engine.info.id,
    precision: engine.info.precision,
    executionProvider: engine.info.executionProvider,
    stepDowns: loaded.stepDowns,
    providers,
    notes,
  };
  log.info(
    { placement },
    `model ${placement.model} on ${placement.device} (${placement.executionProvider}), tier ${placement.tier}`,
  );
  return { engine, placement };
}
