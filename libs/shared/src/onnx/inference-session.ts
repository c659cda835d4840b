import { InferenceSession } from 'onnxruntime-node';
import { failedPrecondition } from '../errors';

export interface InferenceSessionOptions {
  /** Execution providers to try in order, e.g. ['cuda', 'webgpu', 'cpu']. CPU is always tried last. */
  executionProviders?: readonly string[];
  /** Threads inside one operator (ORT intra-op pool); undefined = ORT's default (all cores). */
  intraOpThreads?: number;
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

/**
 * Creates an ORT session with the first execution provider that loads. Each provider is tried alone (ORT
 * still places nodes the provider lacks on CPU, which is how ORT always works), so the result says which
 * accelerator really holds the model instead of ORT silently falling back.
 */
export async function createInferenceSession(
  file: string,
  options: InferenceSessionOptions = {},
): Promise<LoadedInferenceSession> {
  const wanted = (options.executionProviders ?? []).map((ep) => ep.trim().toLowerCase()).filter(Boolean);
  const order = [...new Set([...wanted.filter((ep) => ep !== 'cpu'), 'cpu'])];
  const skipped: Array<{ executionProvider: string; reason: string }> = [];
  for (const ep of order) {
    try {
      const session = await InferenceSession.create(file, {
        executionProviders: [ep],
        // onnxruntime-node rejects an undefined thread count, so the key is only set when given.
        ...(options.intraOpThreads !== undefined ? { intraOpNumThreads: options.intraOpThreads } : {}),
        interOpNumThreads: 1,
        graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
        logSeverityLevel: 3,
      });
      return { session, executionProvider: ep, skipped };
    } catch (err) {
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
