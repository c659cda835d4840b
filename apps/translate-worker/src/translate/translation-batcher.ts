import { MicroBatcher, type MtEngine, type MtRequest, type MtResult } from '@olt/shared';

/**
 * What concurrent sentences share a model call: `source` (every target of one source language in one
 * mixed batch: a text fanned out to N targets is one encoder run and one decode) or `pair` (one batch
 * per (source, target) pair: N targets are N sequential batches; the old path, kept for comparison).
 */
export type TranslationBatchKey = 'source' | 'pair';

export interface TranslationBatcherOptions {
  maxBatchSize: number;
  maxWaitMs: number;
  /** Batches run at once (one per CPU socket / GPU stream is plenty). */
  concurrency: number;
  /** Default `source`. */
  batchBy?: TranslationBatchKey;
  /** Called once per model call with the rows the model decoded and the batch's key. */
  onModelRun?: (rows: number, key: string) => void;
}

/**
 * Groups concurrent sentences into one batched engine call per source language (or per pair), with a
 * bounded wait; the engine forces each row's own target. Identical (text, target) rows in one batch are
 * decoded once: a burst of the same phrase (a streamer's catchphrase fanned out by many viewers'
 * sessions) costs one row.
 */
export class TranslationBatcher {
  private readonly batcher: MicroBatcher<MtRequest, MtResult>;

  constructor(
    private readonly engine: MtEngine,
    private readonly opts: TranslationBatcherOptions,
  ) {
    const byPair = opts.batchBy === 'pair';
    this.batcher = new MicroBatcher<MtRequest, MtResult>({
      run: (batch) => this.run(batch),
      maxBatchSize: opts.maxBatchSize,
      maxWaitMs: opts.maxWaitMs,
      concurrency: opts.concurrency,
      // One sentence the model cannot translate fails only its own job, at once (PoisonRequestError).
      isolateFailures: true,
      key: byPair ? (req) => `${req.source}>${req.target}` : (req) => req.source,
    });
  }

  translate(req: MtRequest): Promise<MtResult> {
    return this.batcher.submit(req);
  }

  private async run(batch: MtRequest[]): Promise<MtResult[]> {
    const unique = new Map<string, number>();
    const rows: MtRequest[] = [];
    const rowOf = batch.map((req) => {
      const key = `${req.target}\u0000${req.text}`;
      let row = unique.get(key);
      if (row === undefined) {
        row = rows.push(req) - 1;
        unique.set(key, row);
      }
      return row;
    });
    const results = await this.engine.translate(rows);
    this.opts.onModelRun?.(rows.length, batch[0].source);
    return rowOf.map((row) => results[row]);
  }
}
