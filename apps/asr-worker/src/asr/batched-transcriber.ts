import { type AsrEngine, type AsrRequest, type AsrResult, MicroBatcher } from '@olt/shared';

export interface BatchedResult {
  result: AsrResult;
  /** Requests in the engine call this one ran in. */
  batchSize: number;
  /** Milliseconds of that engine call. */
  inferMs: number;
}

export interface BatchedTranscriberOptions {
  maxBatchSize: number;
  maxWaitMs: number;
  /** Engine calls allowed at once. */
  concurrency: number;
  onBatch?: (size: number) => void;
}

/**
 * Cross-stream micro-batching in front of an AsrEngine: requests submitted by concurrently running jobs are
 * collected (up to maxBatchSize, for at most maxWaitMs) into one engine call. Interim and final requests
 * share batches. If a batch fails, its requests are run again one by one (MicroBatcher isolateFailures), so
 * one bad request (too long, unsupported language, an ONNX error) fails only its own job, with a
 * PoisonRequestError that is answered at once instead of retried.
 */
export class BatchedTranscriber {
  private readonly batcher: MicroBatcher<AsrRequest, BatchedResult>;

  constructor(
    private readonly engine: AsrEngine,
    options: BatchedTranscriberOptions,
  ) {
    this.batcher = new MicroBatcher<AsrRequest, BatchedResult>({
      maxBatchSize: options.maxBatchSize,
      maxWaitMs: options.maxWaitMs,
      concurrency: options.concurrency,
      isolateFailures: true,
      onBatch: (size) => options.onBatch?.(size),
      run: (batch) => this.run(batch),
    });
  }

  transcribe(request: AsrRequest): Promise<BatchedResult> {
    return this.batcher.submit(request);
  }

  private async run(batch: AsrRequest[]): Promise<BatchedResult[]> {
    const started = performance.now();
    const results = await this.engine.transcribe(batch);
    const inferMs = performance.now() - started;
    return results.map((result) => ({ result, batchSize: batch.length, inferMs }));
  }
}
