import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** CPUs this process may use, and where the number came from. */
export interface CpuBudget {
  cpus: number;
  source: 'cgroup v2 cpu.max' | 'cgroup v1 cfs quota' | 'available parallelism';
}

type ReadText = (path: string) => string | undefined;

const readOrUndefined: ReadText = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/**
 * The container's CPU quota in whole CPUs (rounded down, at least 1): cgroup v2 `cpu.max`, else cgroup v1
 * `cpu.cfs_quota_us / cpu.cfs_period_us`, capped by os.availableParallelism() (the affinity mask); with
 * no quota, os.availableParallelism(). A pod limited to 1 CPU on a 64-core node gets 1, not 64: ONNX
 * Runtime sized by the host would run 64 threads into the quota and be throttled.
 */
export function readCpuBudget(
  read: ReadText = readOrUndefined,
  parallelism = availableParallelism(),
): CpuBudget {
  const cap = (quota: number, period: number, source: CpuBudget['source']): CpuBudget | undefined =>
    quota > 0 && period > 0
      ? { cpus: Math.max(1, Math.min(parallelism, Math.floor(quota / period))), source }
      : undefined;
  const v2 = read('/sys/fs/cgroup/cpu.max')?.trim().split(/\s+/);
  if (v2 && v2[0] !== 'max') {
    const found = cap(Number(v2[0]), Number(v2[1] ?? 100000), 'cgroup v2 cpu.max');
    if (found) return found;
  }
  for (const dir of ['/sys/fs/cgroup/cpu', '/sys/fs/cgroup/cpu,cpuacct']) {
    const quota = read(`${dir}/cpu.cfs_quota_us`);
    const period = read(`${dir}/cpu.cfs_period_us`);
    if (quota === undefined || period === undefined) continue;
    const found = cap(Number(quota.trim()), Number(period.trim()), 'cgroup v1 cfs quota');
    if (found) return found;
  }
  return { cpus: Math.max(1, parallelism), source: 'available parallelism' };
}
