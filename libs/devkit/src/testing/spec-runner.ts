import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCi, SKIP_REPORT_ENV, skipSummary, type SkippedCheck } from './system-programs';

export interface SpecRunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  concurrency?: number;
}

/**
 * Runs spec files with Node's test runner (output straight to the terminal), then prints which checks
 * were skipped for a missing system program and the command that installs them. Returns the exit status.
 */
export function runSpecFiles(files: readonly string[], opts: SpecRunOptions): number {
  const env = { ...(opts.env ?? process.env) };
  const reportDir = mkdtempSync(join(tmpdir(), 'olt-skips-'));
  const report = join(reportDir, 'skips.jsonl');
  env[SKIP_REPORT_ENV] = report;
  // Set when this runner is itself started from a test: the child must be a top-level run, not a subtest.
  delete env.NODE_TEST_CONTEXT;
  try {
    const result = spawnSync(
      process.execPath,
      [
        '--test',
        '--test-reporter=spec',
        `--test-concurrency=${opts.concurrency ?? (isCi(env) ? 2 : 3)}`,
        ...files,
      ],
      { stdio: 'inherit', cwd: opts.cwd, env },
    );
    const summary = skipSummary(readSkips(report), isCi(env));
    if (summary) console.log(`\n${summary}`);
    return result.status ?? 1;
  } finally {
    rmSync(reportDir, { recursive: true, force: true });
  }
}

function readSkips(file: string): SkippedCheck[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SkippedCheck);
}
