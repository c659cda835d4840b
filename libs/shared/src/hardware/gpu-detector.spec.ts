import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExecFileCommandRunner } from './command-runner';
import { GpuDetector } from './gpu-detector';
import { RecordedCommandRunner } from './recorded-command-runner';

describe('GpuDetector', () => {
  it('finds no GPU and says nothing when no vendor tool is installed', async () => {
    const inventory = await new GpuDetector(new RecordedCommandRunner({})).detect();
    assert.deepEqual(inventory, { gpus: [], notes: [] });
  });

  it('merges NVIDIA, AMD and Intel cards; Intel memory comes from the per-device query', async () => {
    const runner = new RecordedCommandRunner({
      'nvidia-smi': { fixture: 'nvidia-smi-rtx3060.txt' },
      'rocm-smi': { fixture: 'rocm-smi-mi210.json' },
      'xpu-smi discovery --json': { fixture: 'xpu-smi-discovery-flex170.json' },
      'xpu-smi discovery --device 0 --json': { fixture: 'xpu-smi-discovery-d0-flex170.json' },
      'xpu-smi discovery --device 1 --json': { fixture: 'xpu-smi-discovery-d1-flex170.json' },
    });
    const { gpus, notes } = await new GpuDetector(runner).detect();
    assert.deepEqual(
      gpus.map((g) => `${g.vendor}:${g.index}:${g.totalMiB}:${g.freeMiB}`),
      ['nvidia:0:12288:11786', 'amd:0:65520:65509', 'intel:0:13536:13507', 'intel:1:13536:2048'],
    );
    assert.deepEqual(notes, []);
    assert.ok(
      runner.calls.includes(
        'nvidia-smi --query-gpu=index,name,memory.total,memory.free --format=csv,noheader,nounits',
      ),
    );
    assert.ok(runner.calls.includes('rocm-smi --showproductname --showmeminfo vram --json'));
  });

  it('notes a tool that fails (driver not loaded) and counts no GPU for it', async () => {
    const runner = new RecordedCommandRunner({
      'nvidia-smi': { fixture: 'nvidia-smi-no-driver.txt', exitCode: 9 },
    });
    const { gpus, notes } = await new GpuDetector(runner).detect();
    assert.deepEqual(gpus, []);
    assert.equal(notes.length, 1);
    assert.match(notes[0], /^nvidia-smi: exit code 9: NVIDIA-SMI has failed because it couldn't communicate/);
  });

  it('notes an Intel card whose details give no memory size', async () => {
    const runner = new RecordedCommandRunner({
      'xpu-smi discovery --json': { fixture: 'xpu-smi-discovery-arc-a770.json' },
      'xpu-smi discovery --device 0 --json': { stdout: '{"device_id": 0}' },
    });
    const { gpus, notes } = await new GpuDetector(runner).detect();
    assert.deepEqual(gpus, []);
    assert.ok(notes.some((n) => /no memory size for device 0/.test(n)));
  });
});

describe('ExecFileCommandRunner (real processes)', () => {
  const runner = new ExecFileCommandRunner();

  it('reports a missing binary as not found rather than as an error', async () => {
    const result = await runner.run('olt-no-such-smi-tool', [], 1000);
    assert.equal(result.found, false);
  });

  it('stops a hung tool at the timeout', async () => {
    const started = Date.now();
    const result = await runner.run('sleep', ['10'], 200);
    assert.equal(result.found, true);
    assert.match(result.error ?? '', /timed out after 200 ms/);
    assert.ok(Date.now() - started < 5000);
  });

  it('returns the output of a tool that works', async () => {
    const result = await runner.run('printf', ['0, Fake GPU, 8192, 8000\\n'], 2000);
    assert.equal(result.exitCode, 0);
    assert.equal(result.stdout, '0, Fake GPU, 8192, 8000\n');
  });
});
