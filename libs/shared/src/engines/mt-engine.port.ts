import type { ModelInfo } from './asr-engine.port';

export interface MtRequest {
  text: string;
  /** FLORES-200 code, e.g. "eng_Latn". */
  source: string;
  /** FLORES-200 code, e.g. "spa_Latn". */
  target: string;
}

export interface MtResult {
  text: string;
  /** Mean token probability, 0..1. */
  confidence: number;
}

/**
 * Port: machine translation. Results keep the request order; a batch may mix language pairs. One call is
 * one batched model run; implementations keep no per-request state between calls (overlapping batches with
 * different source languages must not affect each other).
 */
export interface MtEngine {
  readonly info: ModelInfo;
  /** FLORES-200 codes the loaded model has language tokens for (what ListLanguages offers as targets). */
  readonly languages: readonly string[];
  translate(batch: MtRequest[]): Promise<MtResult[]>;
  dispose(): Promise<void>;
}

export const MT_ENGINE = Symbol('MtEngine');
