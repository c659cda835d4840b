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
 * share batches. If a batch fails, its requests are retried one by one, so one bad request (too long,
 * unsupported language) fails only its own job.
 */
type Settled = { ok: true; value: BatchedResult } | { ok: false; error: unknown };

export class BatchedTranscriber {
  private readonly batcher: MicroBatcher<AsrRequest, Settled>;

  constructor(
    private readonly engine: AsrEngine,
    options: BatchedTranscriberOptions,
  ) {
    this.batcher = new MicroBatcher<AsrRequest, Settled>({
      maxBatchSize: options.maxBatchSize,
      maxWaitMs: options.maxWaitMs,
      concurrency: options.concurrency,
      onBatch: (size) => options.onBatch?.(size),
      run: (batch) => this.run(batch),
    });
  }

  async transcribe(request: AsrRequest): Promise<BatchedResult> {
    const settled = await this.batcher.submit(request);
    if (!settled.ok) throw settled.error;
    return settled.value;
  }

  private async run(batch: AsrRequest[]): Promise<Settled[]> {
    const started = performance.now();
    try {
      const results = await this.engine.transcribe(batch);
      const inferMs = performance.now() - started;
      return results.map((result) => ({ ok: true, value: { result, batchSize: batch.length, inferMs } }));
    } catch (error) {
      if (batch.length === 1) return [{ ok: false, error }];
      // One by one (not in parallel): the engine is the bottleneck either way, and errors stay per request.
      const settled: Settled[] = [];
      for (const request of batch) settled.push(await this.runAlone(request));
      return settled;
    }
  }

  private async runAlone(request: AsrRequest): Promise<Settled> {
    const started = performance.now();
    try {
      const [result] = await this.engine.transcribe([request]);
      return { ok: true, value: { result, batchSize: 1, inferMs: performance.now() - started } };
    } catch (error) {
      return { ok: false, error };
    }
  }
}
