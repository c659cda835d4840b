import { PhraseChain, translationCacheKey, type CacheEventV1 } from '@olt/shared';
import type { CacheStore } from '../store/cache-store.port';
import type { WarmingJob, WarmingQueue } from './warming-queue.port';

export interface WarmingSettings {
  enabled: boolean;
  order: number;
  minProbability: number;
  maxPredictions: number;
  maxInFlight: number;
  /** cache.share_across_tenants: decides how a warmed plain entry is keyed. */
  shareAcrossTenants: boolean;
}

export interface WarmingCounters {
  enqueued(): void;
  skipped(reason: 'busy' | 'cached'): void;
  warmedHit(): void;
}

interface StreamState {
  src: string;
  model: string;
  targets: Set<string>;
  history: string[];
  lastText: string;
}

const MAX_STREAMS = 20_000;
const MAX_PENDING = 1_000;
const MAX_WARMED = 200_000;

/**
 * Learns from lookup events and turns the chain's predictions into warming jobs, fanned out to every target
 * the stream has asked for. Jobs are only handed to the queue by pump(), which stops the moment a real job
 * waits. Glossary-shaped entries are neither learned nor warmed: their key depends on a glossary this
 * service does not see, and they must never answer another tenant.
 */
export class WarmingPlanner {
  private readonly streams = new Map<string, StreamState>();
  private readonly pending = new Map<string, WarmingJob>();
  /** Keys warming filled and no lookup has hit yet: the first hit counts as a warmed hit. */
  private readonly warmed = new Set<string>();

  constructor(
    private readonly chain: PhraseChain,
    private readonly queue: WarmingQueue,
    private readonly store: CacheStore,
    private readonly settings: WarmingSettings,
    private readonly counters: WarmingCounters,
  ) {}

  get pendingCount(): number {
    return this.pending.size;
  }

  async onEvent(e: CacheEventV1): Promise<void> {
    // Writes say nothing about what viewers ask next (warming writes least of all): only lookups teach.
    if (e.kind === 'write') return;
    if (e.kind === 'hit' && this.warmed.delete(e.key)) this.counters.warmedHit();
    if (!this.settings.enabled) return;
    const id = `${e.tenant}\u0000${e.stream}`;
    let state = this.streams.get(id);
    if (state) this.streams.delete(id);
    else state = { src: e.src, model: e.model, targets: new Set(), history: [], lastText: '' };
    this.streams.set(id, state); // most recent last
    if (this.streams.size > MAX_STREAMS) this.streams.delete(this.streams.keys().next().value!);
    state.targets.add(e.dst);
    if (e.text === state.lastText) return; // the same segment, another target
    state.lastText = e.text;
    // With sharing on, a tenant-scoped entry is glossary-shaped; with sharing off, every entry is scoped.
    if (e.tenantScoped && this.settings.shareAcrossTenants) return;
    [state.src, state.model] = [e.src, e.model];

    const scope = { tenant: e.tenant, stream: e.stream };
    const phrase = await this.chain.observe(scope, state.history, e.text, e.atMs);
    state.history.push(phrase);
    if (state.history.length > this.settings.order) state.history.shift();
    const predictions = await this.chain.predict(
      scope,
      state.history,
      e.atMs,
      this.settings.maxPredictions,
      this.settings.minProbability,
    );
    for (const p of predictions) {
      const text = await this.chain.textOf(p.phraseId);
      if (text === undefined) continue;
      for (const dst of state.targets) {
        if (dst === state.src) continue;
        const tenantKey = this.settings.shareAcrossTenants ? '' : e.tenant;
        const cacheKey = translationCacheKey(state.src, dst, state.model, text, '', tenantKey);
        this.pending.delete(cacheKey);
        this.pending.set(cacheKey, {
          tenant: e.tenant,
          stream: e.stream,
          text,
          src: state.src,
          dst,
          cacheKey,
        });
      }
    }
    // Old predictions go stale quickly; keep the newest.
    while (this.pending.size > MAX_PENDING) this.pending.delete(this.pending.keys().next().value!);
  }

  /** Hands pending predictions to the queue while it is idle; returns how many jobs were enqueued. */
  async pump(): Promise<number> {
    let enqueued = 0;
    while (this.pending.size > 0) {
      if ((await this.queue.realJobsWaiting()) > 0) {
        // Real work waits: drop the predictions (they will be stale by the time the queue is idle).
        this.counters.skipped('busy');
        this.pending.clear();
        break;
      }
      if ((await this.queue.warmingJobsPending()) >= this.settings.maxInFlight) break;
      const [key, job] = [...this.pending].pop()!; // newest first
      this.pending.delete(key);
      if (await this.store.exists(key)) {
        this.counters.skipped('cached');
        continue;
      }
      if (await this.queue.enqueue(job)) {
        this.warmed.add(key);
        if (this.warmed.size > MAX_WARMED) this.warmed.delete(this.warmed.values().next().value!);
        this.counters.enqueued();
        enqueued++;
      }
    }
    return enqueued;
  }
}
