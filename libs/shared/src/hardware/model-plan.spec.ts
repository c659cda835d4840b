import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../config';
import type { AsrTier, TierSetting } from '../config/schema';
import type { ExecutionProviderReport } from './execution-providers';
import { GpuDetector } from './gpu-detector';
import { type ModelPlan, type PlanInput, planModels, providerChoices } from './model-plan';
import { RecordedCommandRunner } from './recorded-command-runner';
import { selectTier, usableVramMiB } from './tier-table';

const CUDA_LOADED: ExecutionProviderReport = { available: ['cuda:0', 'cpu'], unavailable: [] };
const CUDA_DEVICE_1: ExecutionProviderReport = { available: ['cuda:1', 'cpu'], unavailable: [] };
const WEBGPU_LOADED: ExecutionProviderReport = {
  available: ['webgpu', 'cpu'],
  unavailable: [{ executionProvider: 'cuda:0', reason: 'Failed to load shared library' }],
};
const CPU_ONLY: ExecutionProviderReport = {
  available: ['cpu'],
  unavailable: [{ executionProvider: 'cuda:0', reason: 'Failed to load shared library' }],
};

async function inventoryFrom(recordings: ConstructorParameters<typeof RecordedCommandRunner>[0]) {
  return new GpuDetector(new RecordedCommandRunner(recordings)).detect();
}

function input(overrides: Partial<PlanInput>): PlanInput {
  return {
    kind: 'asr',
    tier: 'auto',
    model: 'auto',
    precision: 'auto',
    executionProviders: ['auto'],
    deviceId: 0,
    reserve: 0.2,
    inventory: { gpus: [], notes: [] },
    providers: CPU_ONLY,
    presentPrecisions: () => [],
    canDownload: () => true,
    ...overrides,
  };
}

const first = (plan: ModelPlan) => plan.candidates[0];
const chain = (plan: ModelPlan) =>
  plan.candidates.map((c) => `${c.tier}:${c.model}@${c.precision}/${c.executionProviders[0]}`);

describe('tier selection from recorded smi outputs (20 % reserve)', () => {
  const cases: Array<{
    name: string;
    recordings: ConstructorParameters<typeof RecordedCommandRunner>[0];
    providers: ExecutionProviderReport;
    deviceId?: number;
    tier: AsrTier;
    asr: string;
    mt: string;
  }> = [
    {
      name: 'RTX 3060 12 GB, 11.5 GB free → high',
      recordings: { 'nvidia-smi': { fixture: 'nvidia-smi-rtx3060.txt' } },
      providers: CUDA_LOADED,
      tier: 'high',
      asr: 'whisper-large-v3-turbo@fp16',
      mt: 'nllb-200-distilled-600M@fp16',
    },
    {
      name: 'Tesla T4 16 GB → high',
      recordings: { 'nvidia-smi': { fixture: 'nvidia-smi-t4.txt' } },
      providers: CUDA_LOADED,
      tier: 'high',
      asr: 'whisper-large-v3-turbo@fp16',
      mt: 'nllb-200-distilled-600M@fp16',
    },
    {
      name: 'GTX 1650 4 GB: 3721 free − 819 reserve = 2902 usable → low',
      recordings: { 'nvidia-smi': { fixture: 'nvidia-smi-gtx1650.txt' } },
      providers: CUDA_LOADED,
      tier: 'low',
      asr: 'whisper-base@int8',
      mt: 'nllb-200-distilled-600M@q4',
    },
    {
      name: 'GTX 1050 2 GB: 1240 usable → cpu',
      recordings: { 'nvidia-smi': { fixture: 'nvidia-smi-gtx1050.txt' } },
      providers: CUDA_LOADED,
      tier: 'cpu',
      asr: 'whisper-base@int8',
      mt: 'nllb-200-distilled-600M@int8',
    },
    {
      name: 'A100 #1 nearly full (3.1 of 80 GB free, inside the reserve) → cpu',
      recordings: { 'nvidia-smi': { fixture: 'nvidia-smi-4x-a100.txt' } },
      providers: CUDA_DEVICE_1,
      deviceId: 1,
      tier: 'cpu',
      asr: 'whisper-base@int8',
      mt: 'nllb-200-distilled-600M@int8',
    },
    {
      name: 'A100 #3 through CUDA → high',
      recordings: { 'nvidia-smi': { fixture: 'nvidia-smi-4x-a100.txt' } },
      providers: { available: ['cuda:3', 'cpu'], unavailable: [] },
      deviceId: 3,
      tier: 'high',
      asr: 'whisper-large-v3-turbo@fp16',
      mt: 'nllb-200-distilled-600M@fp16',
    },
    {
      name: 'AMD MI210 through WebGPU → high',
      recordings: { 'rocm-smi': { fixture: 'rocm-smi-mi210.json' } },
      providers: WEBGPU_LOADED,
      tier: 'high',
      asr: 'whisper-large-v3-turbo@fp16',
      mt: 'nllb-200-distilled-600M@fp16',
    },
    {
      name: 'AMD 8 GB card with 1.5 GB free (inside the reserve) → cpu',
      recordings: { 'rocm-smi': { fixture: 'rocm-smi-meminfo-only.json' } },
      providers: WEBGPU_LOADED,
      tier: 'cpu',
      asr: 'whisper-base@int8',
      mt: 'nllb-200-distilled-600M@int8',
    },
    {
      name: 'Intel Flex 170 #0 through WebGPU → high',
      recordings: {
        'xpu-smi discovery --json': { fixture: 'xpu-smi-discovery-flex170.json' },
        'xpu-smi discovery --device 0 --json': { fixture: 'xpu-smi-discovery-d0-flex170.json' },
        'xpu-smi discovery --device 1 --json': { fixture: 'xpu-smi-discovery-d1-flex170.json' },
      },
      providers: WEBGPU_LOADED,
      tier: 'high',
      asr: 'whisper-large-v3-turbo@fp16',
      mt: 'nllb-200-distilled-600M@fp16',
    },
    {
      name: 'NVIDIA GPU present but CUDA libraries missing (only CPU loads) → cpu',
      recordings: { 'nvidia-smi': { fixture: 'nvidia-smi-t4.txt' } },
      providers: CPU_ONLY,
      tier: 'cpu',
      asr: 'whisper-base@int8',
      mt: 'nllb-200-distilled-600M@int8',
    },
    {
      name: 'CUDA loads but nvidia-smi cannot report memory → low (VRAM unknown)',
      recordings: { 'nvidia-smi': { fixture: 'nvidia-smi-na-memory.txt' } },
      providers: CUDA_LOADED,
      tier: 'low',
      asr: 'whisper-base@int8',
      mt: 'nllb-200-distilled-600M@q4',
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const inventory = await inventoryFrom(c.recordings);
      for (const kind of ['asr', 'translate'] as const) {
        const plan = planModels(
          input({ kind, inventory, providers: c.providers, deviceId: c.deviceId ?? 0 }),
        );
        assert.equal(plan.tier, c.tier);
        assert.equal(plan.tierSource, 'auto');
        assert.equal(`${first(plan).model}@${first(plan).precision}`, kind === 'asr' ? c.asr : c.mt);
        // The cpu tier runs on the CPU provider even when a GPU provider loaded.
        assert.equal(
          first(plan).executionProviders[0].split(':')[0],
          c.tier === 'cpu' ? 'cpu' : c.providers.available[0].split(':')[0],
        );
      }
    });
  }

  it('thresholds: 6 GiB usable is high, a MiB less is medium; 2 GiB is low', () => {
    assert.equal(selectTier(6144), 'high');
    assert.equal(selectTier(6143), 'medium');
    assert.equal(selectTier(4096), 'medium');
    assert.equal(selectTier(2048), 'low');
    assert.equal(selectTier(2047), 'cpu');
    assert.equal(
      usableVramMiB({ vendor: 'nvidia', index: 0, name: 'x', totalMiB: 10000, freeMiB: 1000 }, 0.2),
      0,
    );
  });
});

describe('precedence of explicit settings over detection', () => {
  const rtx3060 = () => inventoryFrom({ 'nvidia-smi': { fixture: 'nvidia-smi-rtx3060.txt' } });

  it('an explicit tier wins over detection and is the tier reported', async () => {
    const plan = planModels(input({ tier: 'medium', inventory: await rtx3060(), providers: CUDA_LOADED }));
    assert.equal(plan.tier, 'medium');
    assert.equal(plan.tierSource, 'config');
    assert.equal(`${first(plan).model}@${first(plan).precision}`, 'whisper-small@fp16');
  });

  it('an explicit model is used as given and never swapped; an explicit precision comes first', async () => {
    const plan = planModels(
      input({ model: 'whisper-tiny', precision: 'fp32', inventory: await rtx3060(), providers: CUDA_LOADED }),
    );
    assert.deepEqual(chain(plan), [
      'high:whisper-tiny@fp32/cuda:0',
      'high:whisper-tiny@fp16/cuda:0',
      'high:whisper-tiny@int8/cuda:0',
      'high:whisper-tiny@q4/cuda:0',
    ]);
  });

  it('the configured test model keeps loading as before (tier cpu, precision auto = best present)', () => {
    const plan = planModels(
      input({
        tier: 'cpu',
        model: 'whisper-tiny-test',
        executionProviders: ['cpu'],
        presentPrecisions: () => ['q4', 'int8', 'fp32', 'fp16'],
        canDownload: () => false,
      }),
    );
    assert.deepEqual(chain(plan), [
      'cpu:whisper-tiny-test@fp32/cpu',
      'cpu:whisper-tiny-test@fp16/cpu',
      'cpu:whisper-tiny-test@int8/cpu',
      'cpu:whisper-tiny-test@q4/cpu',
    ]);
  });

  it('precision auto prefers the tier precision present on disk, else what is on disk, before downloading', async () => {
    const inventory = await rtx3060();
    const withFp16 = planModels(
      input({
        model: 'whisper-base',
        inventory,
        providers: CUDA_LOADED,
        presentPrecisions: () => ['fp32', 'fp16'],
      }),
    );
    assert.equal(first(withFp16).precision, 'fp16');
    const onlyFp32 = planModels(
      input({ model: 'whisper-base', inventory, providers: CUDA_LOADED, presentPrecisions: () => ['fp32'] }),
    );
    assert.equal(first(onlyFp32).precision, 'fp32', "a user's own download is used, not replaced");
    const nothing = planModels(input({ model: 'whisper-base', inventory, providers: CUDA_LOADED }));
    assert.equal(first(nothing).precision, 'fp16', 'nothing on disk: the tier precision is downloaded');
  });

  it('an unknown local model with nothing known about its files is left to the engine ("auto")', () => {
    const plan = planModels(input({ model: '/srv/models/my-whisper', canDownload: () => false }));
    assert.deepEqual(chain(plan), ['cpu:/srv/models/my-whisper@auto/cpu']);
  });

  it('model auto steps down precision, then the models of lower tiers, then to CPU', async () => {
    const plan = planModels(input({ inventory: await rtx3060(), providers: CUDA_LOADED }));
    assert.deepEqual(chain(plan), [
      'high:whisper-large-v3-turbo@fp16/cuda:0',
      'high:whisper-large-v3-turbo@int8/cuda:0',
      'high:whisper-large-v3-turbo@q4/cuda:0',
      'medium:whisper-small@fp16/cuda:0',
      'medium:whisper-small@int8/cuda:0',
      'medium:whisper-small@q4/cuda:0',
      'low:whisper-base@int8/cuda:0',
      'low:whisper-base@q4/cuda:0',
      'cpu:whisper-base@int8/cpu',
      'cpu:whisper-base@q4/cpu',
    ]);
  });

  it('offline with nothing downloadable, step-down only uses variants on disk', async () => {
    const plan = planModels(
      input({
        inventory: await rtx3060(),
        providers: CUDA_LOADED,
        canDownload: () => false,
        presentPrecisions: (m) => (m === 'whisper-base' ? ['int8'] : []),
      }),
    );
    // Models with nothing on disk keep one "auto" entry so the load names what is missing.
    assert.ok(chain(plan).includes('low:whisper-base@int8/cuda:0'));
    assert.ok(!chain(plan).some((c) => c.includes('whisper-base@q4')));
  });

  for (const tier of ['high', 'medium', 'low', 'cpu'] as TierSetting[]) {
    it(`explicit tier ${tier} with model auto starts at that tier's model`, () => {
      const plan = planModels(input({ tier, kind: 'translate', providers: CUDA_LOADED }));
      assert.equal(first(plan).tier, tier);
      assert.equal(first(plan).model, 'nllb-200-distilled-600M');
    });
  }
});

describe('pinning a worker to one GPU', () => {
  it('takes device_id and tier from the environment and pins CUDA to that device', () => {
    const config = loadConfig({
      env: { OLT__ASR__DEVICE_ID: '2', OLT__ASR__TIER: 'auto', OLT__ASR__EXECUTION_PROVIDERS: 'auto' },
    });
    assert.equal(config.asr.deviceId, 2);
    assert.equal(config.asr.tier, 'auto');
    assert.deepEqual(
      providerChoices(config.asr.executionProviders, config.asr.deviceId).map(
        (c) => `${c.name}:${c.deviceId ?? '-'}`,
      ),
      process.platform === 'linux'
        ? ['cuda:2', 'webgpu:-', 'cpu:-']
        : providerChoices(['auto'], 2).map((c) => `${c.name}:${c.deviceId ?? '-'}`),
    );
  });
});
