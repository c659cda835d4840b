import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { ASR_TIERS, ConfigService, Metrics, asrQueueName, type AsrTier } from '@olt/shared';
import type { TierLoad } from './tier-choice';
import { TIER_LOAD_READER, type TierLoadReader } from './tier-load-reader';

/** Weight of the newest inferMs in a tier's average engine time per job. */
const JOB_MS_WEIGHT = 0.2;

/**
 * Live capacity of every ASR tier, as the routing rule sees it: workers from heartbeats, backlog from
 * BullMQ counts, and an estimated wait = backlog / worker slots x engine time per job. Refreshed on a
 * timer (every asr_routing.refresh_ms), so the metrics KEDA scales on exist even while a pool is at zero
 * replicas, and so a tier that drains is noticed without traffic to it (recovery).
 */
@Injectable()
export class TierCapacityMonitor implements OnModuleInit, OnModuleDestroy {
  private load = new Map<AsrTier, TierLoad>();
  private refreshedAt = 0;
  private inFlight?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private readonly jobMs = new Map<AsrTier, number>();

  constructor(
    @Inject(TIER_LOAD_READER) private readonly reader: TierLoadReader,
    private readonly config: ConfigService,
    private readonly metrics: Metrics,
    @InjectPinoLogger(TierCapacityMonitor.name) private readonly logger: PinoLogger,
  ) {}

  onModuleInit(): void {
    // A pinned gateway (asr.tier != auto) still exports the tiers' depth: pools scale on it.
    const tick = () => {
      void this.refresh().finally(() => {
        this.timer = setTimeout(tick, this.config.current.asrRouting.refreshMs);
        this.timer.unref();
      });
    };
    tick();
  }

  onModuleDestroy(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The latest load of every tier; waits for a first read when there is none yet or it is stale. */
  async current(): Promise<ReadonlyMap<AsrTier, TierLoad>> {
    const staleAfter = this.config.current.asrRouting.refreshMs * 3;
    if (Date.now() - this.refreshedAt > staleAfter) await this.refresh();
    return this.load;
  }

  /** A reply's engine time: the tier's cost per job in the wait estimate. */
  observeJob(tier: AsrTier, inferMs: number): void {
    if (!(inferMs >= 0)) return;
    const prev = this.jobMs.get(tier);
    this.jobMs.set(tier, prev === undefined ? inferMs : prev + JOB_MS_WEIGHT * (inferMs - prev));
  }

  /** One read of heartbeats and counts; concurrent callers share it. A failed read keeps the last load. */
  refresh(): Promise<void> {
    this.inFlight ??= this.readOnce().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async readOnce(): Promise<void> {
    const routing = this.config.current.asrRouting;
    try {
      const counts = await this.reader.read();
      const next = new Map<AsrTier, TierLoad>();
      for (const tier of ASR_TIERS) {
        const c = counts.get(tier);
        if (!c) continue;
        const backlog = c.depth.waiting + c.depth.prioritized;
        const jobMs = this.jobMs.get(tier) ?? routing.initialJobMs;
        const waitMs = c.slots > 0 ? (backlog / c.slots) * jobMs : backlog > 0 ? Infinity : 0;
        const was = this.load.get(tier)?.overloaded ?? false;
        // Hysteresis: once over the bound, a tier stays skipped until it is back under the recovery bound.
        const overloaded = waitMs > routing.maxQueueWaitMs || (was && waitMs > routing.recoverQueueWaitMs);
        next.set(tier, { workers: c.workers, waitMs, overloaded });
        this.export(tier, c.workers, waitMs, c.depth as unknown as Record<string, number>);
      }
      this.load = next;
      this.refreshedAt = Date.now();
    } catch (err) {
      this.logger.warn({ err }, 'ASR tier load read failed; routing on the last known load');
    }
  }

  private export(tier: AsrTier, workers: number, waitMs: number, depth: Record<string, number>): void {
    this.metrics.asrTierWorkers.set({ tier }, workers);
    this.metrics.asrTierWaitSeconds.set({ tier }, Number.isFinite(waitMs) ? waitMs / 1000 : 1e9);
    // The gateways always run, so a pool scaled to zero still has its queue's depth in Prometheus.
    for (const [state, count] of Object.entries(depth))
      this.metrics.queueDepth.set({ queue: asrQueueName(tier), state }, count);
  }
}
