/** Port: where download progress goes (a bar on a terminal, periodic lines in logs, nothing in tests). */
export interface DownloadProgress {
  start(file: string, totalBytes: number | undefined, resumedFrom: number): void;
  advance(file: string, doneBytes: number, totalBytes: number | undefined): void;
  finish(file: string, doneBytes: number): void;
}

export const silentProgress: DownloadProgress = { start() {}, advance() {}, finish() {} };

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

/** A redrawn one-line bar for terminals: `encoder_model_fp16.onnx [#####-----]  52% 640.0/1230.4 MiB 41.2 MiB/s`. */
export class TerminalProgressBar implements DownloadProgress {
  private started = 0;
  private startBytes = 0;
  private lastDraw = 0;

  constructor(
    private readonly out: { write(text: string): unknown; columns?: number },
    private readonly now: () => number = Date.now,
  ) {}

  start(_file: string, _total: number | undefined, resumedFrom: number): void {
    this.started = this.now();
    this.startBytes = resumedFrom;
    this.lastDraw = 0;
  }

  advance(file: string, done: number, total: number | undefined): void {
    const t = this.now();
    if (t - this.lastDraw < 100) return;
    this.lastDraw = t;
    this.out.write(`\r${this.line(file, done, total, t)}`);
  }

  finish(file: string, done: number): void {
    this.out.write(`\r${this.line(file, done, done, this.now())}\n`);
  }

  private line(file: string, done: number, total: number | undefined, t: number): string {
    const seconds = Math.max((t - this.started) / 1000, 0.001);
    const rate = `${mib((done - this.startBytes) / seconds)} MiB/s`;
    const name = file.split('/').pop() ?? file;
    if (!total) return `${name} ${mib(done)} MiB ${rate}`;
    const width = 24;
    const filled = Math.min(width, Math.round((done / total) * width));
    const pct = String(Math.floor((done / total) * 100)).padStart(3);
    return `${name} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${pct}% ${mib(done)}/${mib(total)} MiB ${rate}`;
  }
}

/** Plain lines for logs and pipes: one at start, one every `everyMs` (default 5 s), one at the end. */
export class PeriodicProgressLines implements DownloadProgress {
  private lastLine = 0;

  constructor(
    private readonly log: (line: string) => void,
    private readonly everyMs = 5000,
    private readonly now: () => number = Date.now,
  ) {}

  start(file: string, total: number | undefined, resumedFrom: number): void {
    this.lastLine = this.now();
    const size = total ? ` (${mib(total)} MiB)` : '';
    const resume = resumedFrom > 0 ? `, resuming at ${mib(resumedFrom)} MiB` : '';
    this.log(`downloading ${file}${size}${resume}`);
  }

  advance(file: string, done: number, total: number | undefined): void {
    const t = this.now();
    if (t - this.lastLine < this.everyMs) return;
    this.lastLine = t;
    const pct = total ? ` ${Math.floor((done / total) * 100)}%` : '';
    this.log(`downloading ${file}:${pct} ${mib(done)}${total ? `/${mib(total)}` : ''} MiB`);
  }

  finish(file: string, done: number): void {
    this.log(`downloaded ${file} (${mib(done)} MiB)`);
  }
}
