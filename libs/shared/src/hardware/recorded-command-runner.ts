import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandResult, CommandRunner } from './command-runner';

/** Fixture directory (the specs run from dist/, the recordings stay in src/). */
export const SMI_FIXTURES = join(__dirname, '..', '..', 'src', 'hardware', 'fixtures');

export function readSmiFixture(name: string): string {
  return readFileSync(join(SMI_FIXTURES, name), 'utf8');
}

/**
 * Test double of CommandRunner that answers from recorded outputs: `"nvidia-smi"` or
 * `"xpu-smi discovery --device 0 --json"` → a result. A command with no recording is "not installed".
 * It also counts calls, so tests can see that detection asked again.
 */
export class RecordedCommandRunner implements CommandRunner {
  readonly calls: string[] = [];

  constructor(private readonly recordings: Record<string, Partial<CommandResult> & { fixture?: string }>) {}

  async run(command: string, args: readonly string[]): Promise<CommandResult> {
    const full = [command, ...args].join(' ');
    this.calls.push(full);
    const rec = this.recordings[full] ?? this.recordings[command];
    if (!rec) return { found: false, exitCode: null, stdout: '', stderr: '' };
    return {
      found: true,
      exitCode: rec.exitCode ?? 0,
      stdout: rec.fixture ? readSmiFixture(rec.fixture) : (rec.stdout ?? ''),
      stderr: rec.stderr ?? '',
      ...(rec.error ? { error: rec.error } : {}),
    };
  }
}
