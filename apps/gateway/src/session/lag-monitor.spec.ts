import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LagMonitor } from './lag-monitor';

describe('LagMonitor', () => {
  const make = () => {
    let now = 0;
    const monitor = new LagMonitor(
      () => ({ warnMs: 1000, eventIntervalMs: 5000 }),
      () => now,
    );
    return { monitor, advance: (ms: number) => (now += ms) };
  };

  it('reads silence (nothing outstanding) as no lag, however much audio arrives', () => {
    const { monitor } = make();
    for (let ms = 100; ms <= 60_000; ms += 100) assert.equal(monitor.onAudio(ms, true), undefined);
    assert.equal(monitor.lagMs, 0);
  });

  it('measures audio received minus audio covered by the latest reply while work is outstanding', () => {
    const { monitor } = make();
    monitor.onAudio(2000, true);
    monitor.onAudio(2500, false);
    assert.equal(monitor.lagMs, 500);
    assert.equal(monitor.onDecoded(2300), 200);
    assert.equal(monitor.onDecoded(1000), 200, 'an older reply never moves covered back');
    monitor.onIdle();
    assert.equal(monitor.lagMs, 0);
  });

  it('reports Event LAG above the threshold at most once per interval while lagging', () => {
    const { monitor, advance } = make();
    monitor.onAudio(0, true);
    const reports: Array<number | undefined> = [];
    for (let ms = 100; ms <= 12_000; ms += 100) {
      advance(100);
      reports.push(monitor.onAudio(ms, false));
    }
    const sent = reports.filter((r) => r !== undefined);
    // Over 1 s from 1.1 s on; 12 s of lagging → events at 1.1 s, 6.1 s, 11.1 s.
    assert.deepEqual(sent, [1100, 6100, 11100]);
    monitor.onDecoded(12_000);
    advance(10_000);
    assert.equal(monitor.check(), undefined, 'caught up: no event');
  });
});
