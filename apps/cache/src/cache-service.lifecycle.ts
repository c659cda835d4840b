import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ConfigService } from '@olt/shared';
import { CacheEventReader } from './events/cache-event-reader';
import { HotKeySnapshots } from './hot-keys/hot-key-snapshots';
import { CacheStatsRecorder } from './stats/cache-stats.service';
import { CACHE_STORE, type CacheStore } from './store/cache-store.port';
import { WarmingPlanner } from './warming/warming-planner';

const STATS_POLL_MS = 10_000;
const WARMING_PUMP_MS = 250;

/**
 * Start: apply the LFU policy, reload hot keys, start reading events; then poll stats, pump warming jobs and
 * snapshot hot keys on timers. Stop: one last snapshot. A failing step is logged; lookups never depend on it.
 */
@Injectable()
export class CacheServiceLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('CacheService');
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly config: ConfigService,
    @Inject(CACHE_STORE) private readonly store: CacheStore,
    private readonly stats: CacheStatsRecorder,
    private readonly snapshots: HotKeySnapshots,
    private readonly planner: WarmingPlanner,
    private readonly reader: CacheEventReader,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const cfg = this.config.current.cacheService;
    const applied = await this.store.applyLfuPolicy({
      maxmemory: cfg.maxmemory,
      lfuLogFactor: cfg.lfuLogFactor,
      lfuDecayTimeMin: cfg.lfuDecayTimeMin,
    });
    if (!applied)
      this.log.warn(
        'the cache Redis refused CONFIG SET: set allkeys-lfu, maxmemory and the lfu-* knobs there',
      );
    const restored = await this.snapshots.restore().catch((err: Error) => {
      this.log.warn(`hot keys not restored: ${err.message}`);
      return 0;
    });
    this.log.log(`LFU policy ${applied ? 'applied' : 'left as is'}; ${restored} hot keys reloaded`);
    this.reader.start();
    this.every(STATS_POLL_MS, () => this.stats.poll());
    if (cfg.warmingEnabled) this.every(WARMING_PUMP_MS, () => this.planner.pump());
    this.every(cfg.snapshotIntervalMs, () => this.snapshots.save());
  }

  async onApplicationShutdown(): Promise<void> {
    this.timers.forEach(clearInterval);
    await this.reader.stop();
    await this.snapshots.save().catch((err: Error) => this.log.warn(`hot keys not saved: ${err.message}`));
  }

  /** A timer whose runs never overlap (a slow Redis skips ticks instead of piling them up). */
  private every(ms: number, task: () => Promise<unknown>): void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      task()
        .catch((err: Error) => this.log.warn(err.message))
        .finally(() => (busy = false));
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }
}
