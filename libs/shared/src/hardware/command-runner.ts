import { execFile } from 'node:child_process';

export interface CommandResult {
  /** False when the binary is not installed (ENOENT): "no GPU of that vendor", not an error. */
  found: boolean;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Set when the command could not run or did not finish (timeout, permission). */
  error?: string;
}

/** Port: runs a vendor tool. Detection depends on this only, so tests feed recorded outputs. */
export interface CommandRunner {
  run(command: string, args: readonly string[], timeoutMs: number): Promise<CommandResult>;
}

/** execFile with a timeout: a hung driver tool must not hold up worker start for long. */
export class ExecFileCommandRunner implements CommandRunner {
  run(command: string, args: readonly string[], timeoutMs: number): Promise<CommandResult> {
    return new Promise((resolve) => {
      execFile(
        command,
        [...args],
        { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024, windowsHide: true },
        (err, stdout, stderr) => {
          const out = { stdout: String(stdout ?? ''), stderr: String(stderr ?? '') };
          if (!err) return resolve({ found: true, exitCode: 0, ...out });
          const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: string | number };
          if (e.code === 'ENOENT') return resolve({ found: false, exitCode: null, ...out });
          const timedOut = e.killed === true;
          resolve({
            found: true,
            exitCode: typeof e.code === 'number' ? e.code : null,
            ...out,
            error: timedOut ? `timed out after ${timeoutMs} ms` : e.message,
          });
        },
      );
    });
  }
}
