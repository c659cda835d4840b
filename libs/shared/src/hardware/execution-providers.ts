import { InferenceSession, Tensor } from 'onnxruntime-node';

/**
 * Execution providers: which exist, the order "auto" tries them in, and a probe that proves one really loads
 * in this process. onnxruntime-node ships CPU and WebGPU; CUDA/TensorRT need NVIDIA's libraries installed
 * next to it (the GPU image). There is no ROCm, MIGraphX or OpenVINO provider for Node: AMD and Intel GPUs
 * are reached through WebGPU (Vulkan underneath on Linux) or DirectML on Windows.
 */

/** Providers that run on a GPU (a worker using one of them is placed by VRAM tier). */
export const GPU_EXECUTION_PROVIDERS = new Set(['cuda', 'tensorrt', 'webgpu', 'dml', 'coreml']);

/**
 * What "auto" expands to, best first. TensorRT is left out: it compiles an engine per model on first load
 * (minutes) and has to be asked for by name.
 */
export function autoExecutionProviders(platform: NodeJS.Platform = process.platform): string[] {
  if (platform === 'darwin') return ['coreml', 'webgpu', 'cpu'];
  if (platform === 'win32') return ['cuda', 'dml', 'webgpu', 'cpu'];
  return ['cuda', 'webgpu', 'cpu'];
}

export interface ExecutionProviderChoice {
  name: string;
  /** GPU index for providers that take one (cuda, tensorrt, dml). */
  deviceId?: number;
}

/**
 * Normalises a configured list: lower-case, "auto" expanded in place, "cuda:1" read as provider + device,
 * duplicates dropped, CPU always last (ORT places nodes a provider lacks on CPU anyway).
 */
export function expandExecutionProviders(
  configured: readonly string[],
  platform: NodeJS.Platform = process.platform,
): ExecutionProviderChoice[] {
  const names = configured
    .map((ep) => ep.trim().toLowerCase())
    .filter(Boolean)
    .flatMap((ep) => (ep === 'auto' ? autoExecutionProviders(platform) : [ep]));
  const seen = new Set<string>();
  const out: ExecutionProviderChoice[] = [];
  for (const entry of [...names.filter((n) => !n.startsWith('cpu')), 'cpu']) {
    const [name, device] = entry.split(':');
    if (seen.has(name)) continue;
    seen.add(name);
    const deviceId = device !== undefined && /^\d+$/.test(device) ? Number(device) : undefined;
    out.push(deviceId === undefined ? { name } : { name, deviceId });
  }
  return out;
}

/** The `name[:device]` string form used in configs and in engine load options. */
export function formatExecutionProvider(choice: ExecutionProviderChoice): string {
  return choice.deviceId === undefined ? choice.name : `${choice.name}:${choice.deviceId}`;
}

/** ORT's option object for a provider pinned to a device (WebGPU has no device option: it takes the default adapter). */
export function ortExecutionProvider(
  choice: ExecutionProviderChoice,
): InferenceSession.ExecutionProviderConfig {
  if (choice.deviceId !== undefined && ['cuda', 'tensorrt', 'dml'].includes(choice.name)) {
    return { name: choice.name, deviceId: choice.deviceId } as InferenceSession.ExecutionProviderConfig;
  }
  return choice.name;
}

/** An 89-byte ONNX model (y = x + x over float[4]), enough to make a provider initialise its device. */
export const EP_PROBE_MODEL = Buffer.from(
  'CAgSDG9sdC1lcC1wcm9iZTpBChMKAXgKAXgSAXkaA2FkZCIDQWRkEghlcF9wcm9iZVoPCgF4EgoKCAgBEgQKAggEYg8KAXkSCgoICAESBAoCCARCBAoAEBE=',
  'base64',
);

export interface ExecutionProviderReport {
  /** Providers that loaded and ran the probe model, in the order tried. */
  available: string[];
  /** Those that did not, with ONNX Runtime's reason (first line). */
  unavailable: Array<{ executionProvider: string; reason: string }>;
}

/**
 * Creates a tiny session with each provider alone and runs it once. This is the only honest answer to "does
 * CUDA work here": the shared libraries, the driver and the device all have to be there.
 */
export async function probeExecutionProviders(
  candidates: readonly ExecutionProviderChoice[],
): Promise<ExecutionProviderReport> {
  const report: ExecutionProviderReport = { available: [], unavailable: [] };
  for (const choice of candidates) {
    const label = formatExecutionProvider(choice);
    try {
      const session = await InferenceSession.create(EP_PROBE_MODEL, {
        executionProviders: [ortExecutionProvider(choice)],
        logSeverityLevel: 4,
      });
      try {
        const out = await session.run({ x: new Tensor('float32', new Float32Array([1, 2, 3, 4]), [4]) });
        const y = out.y.data as Float32Array;
        if (y[3] !== 8) throw new Error(`probe model computed ${Array.from(y).join(',')} instead of 2,4,6,8`);
      } finally {
        await session.release();
      }
      report.available.push(label);
    } catch (err) {
      report.unavailable.push({ executionProvider: label, reason: readableReason(err) });
    }
  }
  return report;
}

/** ORT's first line without its source location ("/onnxruntime_src/…/x.cc:136 fn() cond was false. Why"). */
function readableReason(err: unknown): string {
  const line = (err instanceof Error ? err.message : String(err)).split('\n')[0];
  const stripped = line.replace(/^\/onnxruntime_src\/\S+:\d+\s+/, '');
  const why = / was false\. (.+)$/.exec(stripped);
  return (why ? why[1] : stripped).slice(0, 300);
}
