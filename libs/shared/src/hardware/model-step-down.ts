import { basename } from 'node:path';
import { AppError, failedPrecondition } from '../errors';
import { isAllocationError } from './allocation-error';
import type { ModelCandidate } from './model-plan';

export interface StepDown {
  from: string;
  to: string;
  reason: string;
}

/** The side effects of trying candidates, as ports: the real engine loader in workers, fakes in tests. */
export interface CandidateLoader<E> {
  /** Makes the files present (downloading when allowed) and loads the engine. */
  load(candidate: ModelCandidate): Promise<E>;
  /** One inference on dummy input; an allocation failure here steps down like one while loading. */
  warmUp?(engine: E): Promise<void>;
  dispose(engine: E): Promise<void>;
  /** A reason when the candidate's GPU is already inside its VRAM reserve (skip it), else undefined. */
  memoryPressure?(candidate: ModelCandidate): Promise<string | undefined>;
  /** Told about each step (logs and the olt_worker_model_stepdowns_total counter). */
  onStepDown?(step: StepDown): void;
}

export interface LoadedCandidate<E> {
  engine: E;
  candidate: ModelCandidate;
  stepDowns: StepDown[];
}

/** `whisper-small@fp16/cuda`: short, and bounded for a metric label. */
export function candidateLabel(c: ModelCandidate): string {
  const provider = (c.executionProviders[0] ?? 'cpu').split(':')[0];
  return `${basename(c.model)}@${c.precision}/${provider}`;
}

/**
 * Tries the candidates in order. Out of memory (while loading, during the warm-up, or the GPU already in its
 * reserve) moves to the next one; any other error stops, because a broken file or a wrong path is not
 * fixed by a smaller model. Fails when the last one runs out of memory too, listing every step.
 */
export async function loadWithStepDown<E>(
  candidates: readonly ModelCandidate[],
  loader: CandidateLoader<E>,
): Promise<LoadedCandidate<E>> {
  if (!candidates.length) throw failedPrecondition('no model candidates to load');
  const stepDowns: StepDown[] = [];
  let pending: { from: ModelCandidate; reason: string } | undefined;
  const record = (to: ModelCandidate) => {
    if (!pending) return;
    const step = { from: candidateLabel(pending.from), to: candidateLabel(to), reason: pending.reason };
    stepDowns.push(step);
    loader.onStepDown?.(step);
    pending = undefined;
  };

  for (let i = 0; i < candidates.length; i++) {
    const candidate = candidates[i];
    const last = i === candidates.length - 1;
    record(candidate);
    const pressure = last ? undefined : await loader.memoryPressure?.(candidate);
    if (pressure) {
      pending = { from: candidate, reason: pressure };
      continue;
    }
    let engine: E | undefined;
    try {
      engine = await loader.load(candidate);
      await loader.warmUp?.(engine);
      return { engine, candidate, stepDowns };
    } catch (err) {
      if (engine !== undefined) await loader.dispose(engine).catch(() => undefined);
      if (!isAllocationError(err)) throw err;
      const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 300);
      if (last) {
        const tried = [
          ...stepDowns.map((s) => `${s.from} (${s.reason})`),
          `${candidateLabel(candidate)} (${reason})`,
        ];
        throw new AppError(
          'RESOURCE_EXHAUSTED',
          `out of memory with every model variant tried: ${tried.join('; ')}. Free GPU memory, lower ` +
            `asr/translate.precision or tier, or run on CPU (execution_providers = ["cpu"])`,
        );
      }
      pending = { from: candidate, reason };
    }
  }
  throw failedPrecondition('unreachable: no candidate loaded');
}
