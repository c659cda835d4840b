import { spawnSync } from 'node:child_process';

/** Path of an executable on PATH, or undefined (checks that CI installs via .ci/run: docker-compose, promtool). */
export function which(bin: string): string | undefined {
  const res = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  return res.status === 0 ? res.stdout.trim() : undefined;
}

export function run(bin: string, args: string[], cwd: string): { status: number; out: string } {
  const res = spawnSync(bin, args, { cwd, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (res.error) throw res.error;
  return { status: res.status ?? 1, out: `${res.stdout}${res.stderr}` };
}
