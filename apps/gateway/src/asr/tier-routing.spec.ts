import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { Metrics, loadConfig, type AsrTier, type ConfigService, type QueueDepth } from '@olt/shared';
import type { PinoLogger } from 'nestjs-pino';
import { AsrTierRouter } from './asr-tier-router';
import { TierCapacityMonitor } from './tier-capacity-monitor';
import { chooseTier, type TierLoad } from './tier-choice';
import type { TierCounts, TierLoadReader } from './tier-load-reader';

const defaults = loadConfig({ env: {} });
const PLANS = defaults.asrRouting.planTiers;

const idle = (workers: number): TierLoad => ({ workers, waitMs: 0, overloaded: false });
const busy = (workers: number, waitMs: number): TierLoad => ({ workers, waitMs, overloaded: true });
const loads = (entries: Partial<Record<AsrTier, TierLoad>>) =>
  new Map(Object.entries(entries) as Array<[AsrTier, TierLoad]>);

describe('ASR tier routing rule (chooseTier)', () => {
  it('sends each plan to its own first tier when every tier has idle workers', () => {
    const all = loads({ high: idle(2), medium: idle(2), low: idle(2), cpu: idle(2) });
    assert.deepEqual(
      (['free', 'pro', 'enterprise'] as const).map((plan) => chooseTier(PLANS[plan], all).tier),
      ['low', 'medium', 'high'],
    );
    assert.equal(chooseTier(PLANS.enterprise, all).reason, 'preferred');
  });

  it('spills to the next tier of the plan when its tier has no live workers', () => {
    const choice = chooseTier(PLANS.enterprise, loads({ high: idle(0), medium: idle(1), cpu: idle(1) }));
    assert.deepEqual(choice, { tier: 'medium', wanted: 'high', reason: 'spill' });
  });

  it('spills past a tier whose queue wait is over the bound', () => {
    const choice = chooseTier(PLANS.pro, loads({ medium: busy(3, 5000), high: idle(1), cpu: idle(1) }));
    assert.deepEqual(choice, { tier: 'high', wanted: 'medium', reason: 'spill' });
  });

  it('never leaves the plan’s list: a free stream does not take a GPU tier the plan omits', () => {
    const choice = chooseTier(PLANS.free, loads({ high: idle(4), low: busy(1, 9000), cpu: busy(1, 7000) }));
    assert.deepEqual(choice, { tier: 'cpu', wanted: 'low', reason: 'all-busy' });
  });

  it('with no worker in any tier of the plan, queues on the plan’s last tier (the floor)', () => {
    assert.deepEqual(chooseTier(PLANS.pro, loads({})), {
      tier: 'cpu',
      wanted: 'medium',
      reason: 'no-workers',
    });
  });
});

/** A reader whose counts the test sets, standing in for heartbeats and BullMQ counts. */
function fakeReader() {
  const counts = new Map<AsrTier, TierCounts>();
  const depth = (backlog: number): QueueDepth => ({
    waiting: 0,
    prioritized: backlog,
    active: 0,
    delayed: 0,
    failed: 0,
  });
  const reader: TierLoadReader = { read: async () => new Map(counts) };
  const set = (tier: AsrTier, workers: number, backlog: number) =>
    counts.set(tier, { workers, slots: workers, depth: depth(backlog) });
  return { reader, set };
}

function routing() {
  const { reader, set } = fakeReader();
  const config = {
    current: { ...defaults, asr: { ...defaults.asr, tier: 'auto' } },
  } as unknown as ConfigService;
  const metrics = new Metrics(new Registry(), 'gateway');
  const logger = { warn: () => undefined } as unknown as PinoLogger;
  const monitor = new TierCapacityMonitor(reader, config, metrics, logger);
  const router = new AsrTierRouter(monitor, config, metrics);
  router.onModuleInit();
  return { monitor, router, set, metrics };
}

describe('ASR tier routing on live load (TierCapacityMonitor + AsrTierRouter)', () => {
  it('turns backlog into a wait estimate and spills when it passes max_queue_wait_ms', async () => {
    const { monitor, router, set } = routing();
    set('high', 2, 0);
    set('medium', 1, 0);
    await monitor.refresh();
    assert.equal((await router.route('enterprise')).tier, 'high');
    // 2 workers, 10 jobs waiting, 500 ms per job (initial_job_ms) = 2.5 s > 2 s.
    set('high', 2, 10);
    await monitor.refresh();
    assert.deepEqual(await router.route('enterprise'), { tier: 'medium', wanted: 'high', reason: 'spill' });
  });

  it('recovers only once the wait is back under recover_queue_wait_ms (no flapping at the bound)', async () => {
    const { monitor, router, set } = routing();
    set('medium', 1, 0);
    set('high', 2, 10); // 2.5 s
    await monitor.refresh();
    assert.equal((await router.route('enterprise')).tier, 'medium');
    set('high', 2, 6); // 1.5 s: under the bound, above the recovery bound
    await monitor.refresh();
    assert.equal((await router.route('enterprise')).tier, 'medium', 'still skipped between the bounds');
    set('high', 2, 2); // 0.5 s
    await monitor.refresh();
    assert.deepEqual(await router.route('enterprise'), { tier: 'high', wanted: 'high', reason: 'preferred' });
  });

  it('uses the engine time replies report: a faster tier takes more backlog before spilling', async () => {
    const { monitor, router, set } = routing();
    set('high', 1, 10);
    set('medium', 1, 0);
    await monitor.refresh();
    assert.equal((await router.route('enterprise')).tier, 'medium', '10 x 500 ms');
    for (let i = 0; i < 40; i++) router.observe('high', 50);
    await monitor.refresh();
    assert.equal((await router.route('enterprise')).tier, 'high', '10 x ~50 ms');
  });

  it('spills when a tier’s workers stop, and comes back when they return', async () => {
    const { monitor, router, set } = routing();
    set('high', 1, 0);
    set('cpu', 1, 0);
    await monitor.refresh();
    assert.equal((await router.route('enterprise')).tier, 'high');
    set('high', 0, 0);
    await monitor.refresh();
    assert.deepEqual(await router.route('enterprise'), { tier: 'cpu', wanted: 'high', reason: 'spill' });
    set('high', 1, 0);
    await monitor.refresh();
    assert.equal((await router.route('enterprise')).tier, 'high');
  });

  it('a pinned asr.tier wins over the plan, and every choice is counted by wanted and chosen tier', async () => {
    const { monitor, router, set, metrics } = routing();
    set('cpu', 1, 0);
    await monitor.refresh();
    await router.route('enterprise');
    const text = await metrics.registry.metrics();
    assert.match(
      text,
      /olt_asr_jobs_routed_total\{wanted_tier="high",tier="cpu",reason="spill",app="gateway"\} 1/,
    );
    assert.match(
      text,
      /olt_asr_jobs_routed_total\{wanted_tier="low",tier="low",reason="preferred",app="gateway"\} 0/,
    );
    assert.match(text, /olt_queue_depth\{queue="asr-v1-cpu",state="prioritized",app="gateway"\} 0/);
    (router as unknown as { config: { current: { asr: { tier: string } } } }).config.current.asr.tier = 'low';
    assert.deepEqual(await router.route('enterprise'), { tier: 'low', wanted: 'low', reason: 'pinned' });
  });
});
