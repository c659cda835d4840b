/**
 * Tests that need a system program (Chromium, OBS under Xvfb, ffmpeg, docker-compose, promtool) ask for it
 * here. On a developer's machine a missing program skips those tests with one clear line and is listed in
 * the summary `npm test` prints at the end, with the one command that installs everything missing. Under
 * CI (`CI=true`, as `.ci/run` runs) a missing program is a failing test, so nothing is skipped silently.
 */
import { accessSync, appendFileSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { test } from 'node:test';

export interface SystemProgram {
  /** Executables that must all be on the PATH. */
  readonly bins: readonly string[];
  /** Debian packages that provide them (and what the tests need next to them, such as fonts). */
  readonly apt: readonly string[];
}

export const SYSTEM_PROGRAMS = {
  chromium: { bins: ['chromium'], apt: ['chromium', 'fonts-dejavu-core', 'fonts-droid-fallback'] },
  obs: { bins: ['obs', 'xvfb-run'], apt: ['obs-studio', 'xvfb', 'xauth', 'libgl1-mesa-dri'] },
  ffmpeg: { bins: ['ffmpeg'], apt: ['ffmpeg'] },
  'docker-compose': { bins: ['docker-compose'], apt: ['docker-compose'] },
  promtool: { bins: ['promtool'], apt: ['prometheus'] },
  openssl: { bins: ['openssl'], apt: ['openssl'] },
  // Joins redis-server processes into a Redis Cluster (redis-cli --cluster create).
  'redis-cli': { bins: ['redis-cli'], apt: ['redis-tools'] },
} as const satisfies Record<string, SystemProgram>;

export type ProgramName = keyof typeof SYSTEM_PROGRAMS;

/** Environment variable naming the file where skipped checks are recorded (set by the test runner). */
export const SKIP_REPORT_ENV = 'OLT_SKIP_REPORT';

/** One line of the skip report: which checks did not run and why. */
export interface SkippedCheck {
  program: ProgramName;
  missing: string[];
  checks: string;
  apt: string[];
}

/** Absolute path of an executable on PATH (no shell involved), or undefined. */
export function findOnPath(bin: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, bin);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* not in this directory */
    }
  }
  return undefined;
}

export function missingBins(program: ProgramName, path?: string): string[] {
  return SYSTEM_PROGRAMS[program].bins.filter((bin) => !findOnPath(bin, path));
}

export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = (env.CI ?? '').toLowerCase();
  return ci !== '' && ci !== '0' && ci !== 'false';
}

export function aptCommand(packages: readonly string[]): string {
  return `sudo apt-get install -y --no-install-recommends ${[...new Set(packages)].join(' ')}`;
}

/**
 * Gate for the tests that need `programs`. Returns `false` when everything is installed, else the skip
 * reason to pass as `{ skip }` to `describe`/`test`. When something is missing it prints one line, records
 * the skip for the runner's summary and, under CI, registers a failing test that names the program.
 */
export function needsPrograms(programs: readonly ProgramName[], checks: string): string | false {
  const missing = programs.flatMap((p) => missingBins(p).map((bin) => ({ program: p, bin })));
  if (missing.length === 0) return false;
  const bins = missing.map((m) => m.bin);
  const apt = [...new Set(missing.flatMap((m) => SYSTEM_PROGRAMS[m.program].apt))];
  const reason = `${bins.join(', ')} not installed (${aptCommand(apt)})`;
  for (const program of new Set(missing.map((m) => m.program))) {
    record({
      program,
      missing: missing.filter((m) => m.program === program).map((m) => m.bin),
      checks,
      apt: [...SYSTEM_PROGRAMS[program].apt],
    });
  }
  if (isCi()) {
    test(`CI=true requires ${bins.join(', ')} for: ${checks}`, () => {
      throw new Error(
        `${reason}. Under CI a missing program is a failure, not a skip: install it (bash .ci/run does).`,
      );
    });
  } else {
    console.log(`# SKIPPED ${checks}: ${reason}`);
  }
  return reason;
}

export function needsProgram(program: ProgramName, checks: string): string | false {
  return needsPrograms([program], checks);
}

function record(entry: SkippedCheck): void {
  const file = process.env[SKIP_REPORT_ENV];
  if (!file) return;
  try {
    appendFileSync(file, `${JSON.stringify(entry)}\n`);
  } catch {
    /* the summary is a convenience; the skip line above already said it */
  }
}

/** The summary printed after the run: what was not checked and the one command that installs it all. */
export function skipSummary(entries: readonly SkippedCheck[], ci: boolean): string {
  if (entries.length === 0) return '';
  const byProgram = new Map<ProgramName, { missing: Set<string>; checks: Set<string>; apt: string[] }>();
  for (const e of entries) {
    const row = byProgram.get(e.program) ?? { missing: new Set(), checks: new Set(), apt: e.apt };
    e.missing.forEach((m) => row.missing.add(m));
    row.checks.add(e.checks);
    byProgram.set(e.program, row);
  }
  const lines = [
    ci
      ? 'CI=true: these system programs are missing, so their tests FAILED:'
      : 'Not checked on this machine (system programs missing; their tests were skipped):',
  ];
  for (const [, row] of byProgram) {
    lines.push(`  ${[...row.missing].join(', ')}: ${[...row.checks].join('; ')}`);
  }
  lines.push('Install them all with:', `  ${aptCommand([...byProgram.values()].flatMap((r) => r.apt))}`);
  return lines.join('\n');
}
