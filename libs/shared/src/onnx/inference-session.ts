import { InferenceSession } from 'onnxruntime-node';
import { failedPrecondition } from '../errors';
import { allocationFailure, isAllocationError } from '../hardware/allocation-error';
import { expandExecutionProviders, ortExecutionProvider } from '../hardware/execution-providers';

export interface InferenceSessionOptions {
  /**
   * Execution providers to try in order, e.g. ['cuda', 'webgpu', 'cpu']; "auto" = the platform's GPU
   * providers then CPU; "cuda:1" pins a device. CPU is always tried last.
   */
  executionProviders?: readonly string[];
  /** Threads inside one operator (ORT intra-op pool); undefined or 0 = ORT's default (all cores). */
  intraOpThreads?: number;
  /** Threads running independent operators at once; > 1 switches ORT to parallel execution. Default 1. */
  interOpThreads?: number;
  /** Whether idle ORT pool threads busy-wait for work; undefined = ORT's default (they do). */
  allowSpinning?: boolean;
  /** ORT graph optimization level; default 'all'. */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
}

export interface LoadedInferenceSession {
  session: InferenceSession;
  /** The provider that loaded ("cuda", "webgpu", "cpu", …). */
  executionProvider: string;
  /** Providers tried before it, with the reason each failed (for logs and /health). */
  skipped: ReadonlyArray<{ executionProvider: string; reason: string }>;
}

/** The thread part of ORT's session options (exported for tests: ORT cannot report them back). */
export function ortThreadOptions(
  options: Pick<InferenceSessionOptions, 'intraOpThreads' | 'interOpThreads' | 'allowSpinning'>,
): InferenceSession.SessionOptions {
  const inter = options.interOpThreads ?? 1;
  const spinning = options.allowSpinning === undefined ? undefined : options.allowSpinning ? '1' : '0';
  return {
    // onnxruntime-node rejects an undefined thread count, so the key is only set when given.
    ...(options.intraOpThreads !== undefined ? { intraOpNumThreads: options.intraOpThreads } : {}),
    interOpNumThreads: inter,
    // The inter-op pool only runs in parallel mode; Whisper and NLLB graphs are mostly chains.
    executionMode: inter > 1 ? 'parallel' : 'sequential',
    // Session config entries (onnxruntime_session_options_config_keys.h); the binding flattens the keys.
    ...(spinning !== undefined
      ? {
          extra: {
            session: { intra_op: { allow_spinning: spinning }, inter_op: { allow_spinning: spinning } },
          },
        }
      : {}),
  };
}

/**
 * Creates an ORT session with the first execution provider that loads. Each provider is tried alone (ORT
 * still places nodes the provider lacks on CPU, which is how ORT always works), so the result says which
 * accelerator really holds the model instead of ORT silently falling back. An allocation failure on a GPU
 * provider is thrown (RESOURCE_EXHAUSTED) instead of falling back to CPU: see hardware/model-step-down.
 */
export async function createInferenceSession(
  file: string,
  options: InferenceSessionOptions = {},
): Promise<LoadedInferenceSession> {
  const order = expandExecutionProviders(options.executionProviders ?? []);
  const skipped: Array<{ executionProvider: string; reason: string }> = [];
  for (const choice of order) {
    const ep = choice.name;
    try {
      const session = await InferenceSession.create(file, {
        executionProviders: [ortExecutionProvider(choice)],
        ...ortThreadOptions(options),
        graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
        logSeverityLevel: 3,
      });
      return { session, executionProvider: ep, skipped };
    } catch (err) {
      // Out of memory on a GPU is not "this provider is missing": falling through to CPU would hide it.
      // It goes up so the caller can step down to a smaller variant on the same device.
      if (ep !== 'cpu' && isAllocationError(err)) throw allocationFailure(`loading ${file} on ${ep}`, err);
      skipped.push({
        executionProvider: ep,
        reason: err instanceof Error ? err.message : String(err),
      });
    }
  }
  throw failedPrecondition(
    `could not load ${file} with any execution provider: ` +
      skipped.map((s) => `${s.executionProvider}: ${s.reason}`).join('; '),
  );
}
