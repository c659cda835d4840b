import { MicroBatcher, type MtEngine, type MtRequest, type MtResult } from '@olt/shared';

export interface PairBatcherOptions {
  maxBatchSize: number;
  maxWaitMs: number;
  /** Batches run at once (one per CPU socket / GPU stream is plenty). */
  concurrency: number;
  /** Called once per model call with the rows the model decoded. */
  onModelRun?: (rows: number, pair: string) => void;
}

/**
 * Groups concurrent sentences by (source, target) pair into one batched engine call each, with a bounded
 * wait. Identical sentences in one batch are decoded once: a burst of the same phrase (a streamer's
 * catchphrase fanned out by many viewers' sessions) costs one row.
 */
export class PairBatcher {
  private readonly batcher: MicroBatcher<MtRequest, MtResult>;

  constructor(
    private readonly engine: MtEngine,
    private readonly opts: PairBatcherOptions,
  ) {
    this.batcher = new MicroBatcher<MtRequest, MtResult>({
      run: (batch) => this.run(batch),
      maxBatchSize: opts.maxBatchSize,
      maxWaitMs: opts.maxWaitMs,
      concurrency: opts.concurrency,
      // One sentence the model cannot translate fails only its own job, at once (PoisonRequestError).
      isolateFailures: true,
      key: (req) => `${req.source}>${req.target}`,
    });
  }

  translate(req: MtRequest): Promise<MtResult> {
    return this.batcher.submit(req);
  }

  private async run(batch: MtRequest[]): Promise<MtResult[]> {
    const unique = new Map<string, number>();
    const rows: MtRequest[] = [];
    const rowOf = batch.map((req) => {
      let row = unique.get(req.text);
      if (row === undefined) {
        row = rows.push(req) - 1;
        unique.set(req.text, row);
      }
      return row;
    });
    const results = await this.engine.translate(rows);
    this.opts.onModelRun?.(rows.length, `${batch[0].source}>${batch[0].target}`);
    return rowOf.map((row) => results[row]);
  }
}
