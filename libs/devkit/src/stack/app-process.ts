import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './repo-root';

export type AppName = 'gateway' | 'asr-worker' | 'translate-worker' | 'cache';

export interface AppProcessOptions {
  name: AppName;
  /** Label for logs, e.g. "asr-worker-2". */
  label: string;
  env: Record<string, string>;
  /** Where the process's stdout/stderr go (one file per process). */
  logDir: string;
  /** Also echo output lines to this callback (the demo shows worker warnings). */
  onLine?: (label: string, line: string) => void;
}

/** One app of the stack, run from its compiled dist/main.js as a separate OS process. */
export class AppProcess {
  readonly child: ChildProcess;
  private readonly log: WriteStream;
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private tail: string[] = [];
  /** Set when the stack stopped or killed it on purpose. */
  intentionallyStopped = false;

  constructor(readonly opts: AppProcessOptions) {
    mkdirSync(opts.logDir, { recursive: true });
    this.log = createWriteStream(join(opts.logDir, `${opts.label}.log`));
    const main = join(repoRoot(), 'apps', opts.name, 'dist', 'main.js');
    this.child = spawn(process.execPath, [main], {
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      let partial = '';
      stream.on('data', (buf: Buffer) => {
        this.log.write(buf);
        const lines = (partial + buf.toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          this.tail.push(line);
          if (this.tail.length > 50) this.tail.shift();
          opts.onLine?.(opts.label, line);
        }
      });
    }
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Last lines the process printed (for error messages when it dies at start-up). */
  recentOutput(): string {
    return this.tail.slice(-15).join('\n');
  }

  waitForExit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.exited;
  }

  /** SIGKILL: no shutdown hooks, locks left behind — what a crashed or OOM-killed pod looks like. */
  async kill(): Promise<void> {
    this.intentionallyStopped = true;
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
    this.log.end();
  }

  /** SIGTERM and wait (graceful shutdown), escalating to SIGKILL after timeoutMs. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.intentionallyStopped = true;
    if (this.running) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
      await this.exited;
      clearTimeout(timer);
    }
    this.log.end();
  }
}
