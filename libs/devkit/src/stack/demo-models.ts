import { availableParallelism } from 'node:os';
import { ModelStore, type DownloadProgress, silentProgress } from '@olt/shared';
import { TINY_NLLB, TINY_WHISPER } from '../models/tiny-models';

export type DemoModelMode = 'auto' | 'real' | 'test';

export interface DemoModels {
  asrModel: string;
  translateModel: string;
  /** Precision for both workers ("auto" lets each worker choose; the test models have every variant). */
  precision: string;
  real: boolean;
  /** One line for the user: which models, or why the test models were used and how to get real ones. */
  note: string;
}

export interface DemoModelOptions {
  mode: DemoModelMode;
  modelsDir: string;
  hubUrl: string;
  offline?: boolean;
  progress?: DownloadProgress;
  /** How long the hub may take to answer before the demo calls it unreachable. */
  probeTimeoutMs?: number;
  cores?: number;
}

const REAL_MT = 'nllb-200-distilled-600M';
/** int8 on CPU: the quantized exports are what a laptop without a GPU runs at a usable speed. */
const CPU_PRECISION = 'int8';

/**
 * Which models `npm run demo` runs. Real ones where possible — a small Whisper (base on 4+ cores, tiny
 * below) and NLLB-200-distilled-600M, int8 — taken from disk or downloaded with progress (resumable,
 * checked); the generated test models when the hub cannot be reached (in `auto`) or when asked.
 */
export async function chooseDemoModels(opts: DemoModelOptions): Promise<DemoModels> {
  const test = (note: string): DemoModels => ({
    asrModel: TINY_WHISPER,
    translateModel: TINY_NLLB,
    precision: 'auto',
    real: false,
    note,
  });
  if (opts.mode === 'test') {
    return test(
      'using generated TEST models (real ONNX Runtime pipeline, nonsense words): --models real for real ones',
    );
  }
  const asrModel = (opts.cores ?? availableParallelism()) >= 4 ? 'whisper-base' : 'whisper-tiny';
  const store = new ModelStore({
    dir: opts.modelsDir,
    hubUrl: opts.hubUrl,
    offline: opts.offline ?? false,
    autoDownload: true,
    progress: opts.progress ?? silentProgress,
  });
  const onDisk = [asrModel, REAL_MT].every((m) => store.isPresent(m, CPU_PRECISION));
  const real: DemoModels = {
    asrModel,
    translateModel: REAL_MT,
    precision: CPU_PRECISION,
    real: true,
    note: `using real models: ${asrModel} + ${REAL_MT} (${CPU_PRECISION}) from ${opts.modelsDir}`,
  };
  if (onDisk) return real;
  const howTo =
    `for real subtitles: npm run models -- pull ${asrModel} && npm run models -- pull ${REAL_MT}` +
    ` (or copy the ONNX exports to ${opts.modelsDir}), then npm run demo -- --models real`;
  const reachable = !opts.offline && (await hubAnswers(opts.hubUrl, opts.probeTimeoutMs ?? 4000));
  if (!reachable) {
    const why = opts.offline ? 'models.offline is set' : `no network to ${opts.hubUrl}`;
    if (opts.mode === 'real')
      throw new Error(`--models real: ${why}, and the models are not on disk. ${howTo}`);
    return test(`${why}: using generated TEST models (nonsense words); ${howTo}`);
  }
  await store.pull(asrModel, CPU_PRECISION);
  await store.pull(REAL_MT, CPU_PRECISION);
  return real;
}

/** Whether the hub answers at all (any HTTP status): DNS failure, refusal or silence mean offline. */
async function hubAnswers(hubUrl: string, timeoutMs: number): Promise<boolean> {
  try {
    const res = await fetch(`${hubUrl.replace(/\/+$/, '')}/api/models/openai/whisper-tiny`, {
      method: 'HEAD',
      signal: AbortSignal.timeout(timeoutMs),
    });
    return res.status < 500;
  } catch {
    return false;
  }
}
