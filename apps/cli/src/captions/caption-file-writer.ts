import { open, rename, type FileHandle } from 'node:fs/promises';
import { outputError } from '../exit-codes';
import { srtCue, VTT_HEADER, vttCue, type Cue } from './subtitle-formats';

export type CaptionFormat = 'srt' | 'vtt';

/** Appended cues reach the disk (fdatasync) at most this long after they were written to the file. */
export const SYNC_INTERVAL_MS = 5000;

/**
 * One SRT or WebVTT file, written off the event loop (fs.promises, one operation at a time, in order):
 * - each settled cue is appended with one write(2), so a reader or a crash sees whole cues only;
 * - a rewrite (a late cue out of order, rare) writes a temporary file, fsyncs it and renames it over the
 *   file, so the file is always either the old or the new version;
 * - appends are fdatasync'ed at most every SYNC_INTERVAL_MS and at close: a power loss costs at most
 *   those seconds of cues, never the file's validity.
 * The first failure is kept (`failure`) and ends every later operation; the caller turns it into exit 6.
 */
export class CaptionFileWriter {
  private file?: FileHandle;
  private count = 0;
  private queue: Promise<void> = Promise.resolve();
  private lastSync = Date.now();
  failure?: Error;

  constructor(
    readonly path: string,
    private readonly format: CaptionFormat,
  ) {}

  /** Creates the file (empty SRT, or the WebVTT header) at once, so a script always finds it. */
  open(): Promise<void> {
    return this.enqueue(async () => {
      await this.replace([]);
    });
  }

  append(cues: readonly Cue[]): void {
    void this.enqueue(async () => {
      const text = cues.map((c) => this.block(++this.count, c)).join('');
      await this.file!.write(text);
      if (Date.now() - this.lastSync >= SYNC_INTERVAL_MS) {
        this.lastSync = Date.now();
        await this.file!.datasync();
      }
    });
  }

  rewrite(cues: readonly Cue[]): void {
    void this.enqueue(() => this.replace(cues));
  }

  /** Resolves when every operation queued so far has run (or failed). */
  idle(): Promise<void> {
    return this.queue;
  }

  /** Waits for every queued write, syncs and closes; rejects with the first failure (exit 6). */
  async close(): Promise<void> {
    await this.enqueue(async () => {
      await this.file?.datasync();
      await this.file?.close();
      this.file = undefined;
    });
    if (this.failure) throw this.failure;
  }

  /** Blocks are separated by a blank line; the first SRT block has nothing before it. */
  private block(index: number, cue: Cue): string {
    const separator = this.format === 'vtt' || index > 1 ? '\n' : '';
    return separator + (this.format === 'srt' ? srtCue(index, cue) : vttCue(index, cue));
  }

  private async replace(cues: readonly Cue[]): Promise<void> {
    const header = this.format === 'vtt' ? VTT_HEADER : '';
    const text = header + cues.map((c, i) => this.block(i + 1, c)).join('');
    const tmp = `${this.path}.tmp-${process.pid}`;
    const out = await open(tmp, 'w');
    try {
      await out.write(text);
      await out.datasync();
    } finally {
      await out.close();
    }
    await this.file?.close();
    this.file = undefined;
    await rename(tmp, this.path);
    this.file = await open(this.path, 'a');
    this.count = cues.length;
    this.lastSync = Date.now();
  }

  private enqueue(op: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(async () => {
      if (this.failure) return;
      try {
        await op();
      } catch (err) {
        this.failure = outputError(`cannot write ${this.path}: ${(err as Error).message}`);
      }
    });
    return this.queue;
  }
}
