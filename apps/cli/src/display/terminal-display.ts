import type { StreamResponse__Output } from '@olt/shared';

export interface DisplayOptions {
  /** Interactive terminal: progress bar and interim text on stderr, redrawn in place. */
  tty: boolean;
  quiet: boolean;
  /** One JSON object per response on stdout instead of text lines (for scripts). */
  json: boolean;
}

const clock = (ms: number) => {
  const t = Math.max(0, Math.round(ms));
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(Math.floor(t / 3_600_000))}:${pad(Math.floor(t / 60_000) % 60)}:${pad(Math.floor(t / 1000) % 60)}.${pad(t % 1000, 3)}`;
};

/**
 * Live terminal output. stdout gets one stable line per final (`[HH:MM:SS.mmm] en: text`, translations as
 * `[…] es: text`), or JSON lines with --json; stderr gets status lines, and on a terminal a progress bar and
 * the current interim text redrawn in place.
 */
export class TerminalDisplay {
  private statusLine = '';
  private interim = '';
  private progressText = '';
  private readonly segmentStart = new Map<string, number>();

  constructor(
    private readonly opts: DisplayOptions,
    private readonly out: NodeJS.WritableStream = process.stdout,
    private readonly err: NodeJS.WritableStream = process.stderr,
  ) {}

  response(r: StreamResponse__Output): void {
    if (this.opts.json) {
      this.out.write(`${JSON.stringify(r, (_, v) => (Buffer.isBuffer(v) ? undefined : v))}\n`);
      return;
    }
    const t = r.transcript;
    if (t) {
      this.segmentStart.set(t.segmentId, Number(t.startMs));
      if (t.isFinal) {
        this.interim = '';
        if (t.text.trim()) this.line(`[${clock(Number(t.startMs))}] ${t.language || '??'}: ${t.text}`);
      } else {
        this.interim = `… ${t.text}`;
        this.redraw();
      }
    }
    const tr = r.translation;
    if (tr?.isFinal && tr.text.trim()) {
      this.line(`[${clock(this.segmentStart.get(tr.segmentId) ?? 0)}] ${tr.targetLanguage}: ${tr.text}`);
    }
    const event = r.event?.type;
    if (event === 'WARNING' || event === 'LAG' || event === 'SERVER_BUSY')
      this.status(`server ${event.toLowerCase().replace('_', ' ')}: ${r.event!.message}`);
  }

  progress(sentMs: number, totalMs: number | undefined): void {
    if (!this.opts.tty || this.opts.quiet) return;
    if (totalMs) {
      const ratio = Math.min(1, sentMs / totalMs);
      const width = 24;
      const filled = Math.round(ratio * width);
      this.progressText = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}% ${clock(sentMs)} / ${clock(totalMs)}`;
    } else {
      this.progressText = `sent ${clock(sentMs)}`;
    }
    this.redraw();
  }

  status(message: string): void {
    if (this.opts.quiet) return;
    this.clear();
    this.err.write(`olt: ${message}\n`);
    this.redraw();
  }

  done(): void {
    this.clear();
  }

  private line(text: string): void {
    this.clear();
    this.out.write(`${text}\n`);
    this.redraw();
  }

  private clear(): void {
    if (this.opts.tty && this.statusLine) this.err.write('\r\x1b[2K');
    this.statusLine = '';
  }

  private redraw(): void {
    if (!this.opts.tty || this.opts.quiet) return;
    const columns = (this.err as NodeJS.WriteStream).columns ?? 100;
    const text = [this.progressText, this.interim]
      .filter(Boolean)
      .join('  ')
      .slice(0, columns - 1);
    this.err.write(`\r\x1b[2K${text}`);
    this.statusLine = text;
  }
}
