import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readCpuBudget } from './cpu-budget';

const files = (entries: Record<string, string>) => (path: string) => entries[path];

describe('readCpuBudget', () => {
  it('reads a cgroup v2 quota in whole CPUs, rounded down, at least 1', () => {
    assert.deepEqual(readCpuBudget(files({ '/sys/fs/cgroup/cpu.max': '200000 100000\n' }), 16), {
      cpus: 2,
      source: 'cgroup v2 cpu.max',
    });
    assert.equal(readCpuBudget(files({ '/sys/fs/cgroup/cpu.max': '150000 100000' }), 16).cpus, 1);
    assert.equal(readCpuBudget(files({ '/sys/fs/cgroup/cpu.max': '50000 100000' }), 16).cpus, 1);
  });

  it('reads a cgroup v1 CFS quota when there is no v2 limit', () => {
    const v1 = files({
      '/sys/fs/cgroup/cpu.max': 'max 100000',
      '/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us': '400000\n',
      '/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us': '100000\n',
    });
    assert.deepEqual(readCpuBudget(v1, 64), { cpus: 4, source: 'cgroup v1 cfs quota' });
  });

  it('caps a quota by the CPUs this process may run on', () => {
    assert.equal(readCpuBudget(files({ '/sys/fs/cgroup/cpu.max': '800000 100000' }), 2).cpus, 2);
  });

  it('falls back to the available parallelism without a quota (v2 "max", v1 -1, no cgroup files)', () => {
    const unlimited = files({
      '/sys/fs/cgroup/cpu.max': 'max 100000',
      '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1',
      '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000',
    });
    assert.deepEqual(readCpuBudget(unlimited, 6), { cpus: 6, source: 'available parallelism' });
    assert.deepEqual(readCpuBudget(files({}), 3), { cpus: 3, source: 'available parallelism' });
  });
});
