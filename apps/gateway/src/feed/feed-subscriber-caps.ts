import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { ConfigService, QUEUE_REDIS, resourceExhausted, unavailable } from '@olt/shared';
import { FleetLeases } from '../tenancy/fleet-leases';

/**
 * Counts subtitle feed viewers (SSE and WebSocket, overlay pages included) per session and per tenant
 * across every gateway (FleetLeases in the queue Redis: a dead gateway's viewers stop counting within
 * `gateway.stream_lease_ttl_ms`), and refuses one over limits.max_feed_subscribers_per_session /
 * _per_tenant (read at each admission, so a reload applies to the next viewer; viewers already in are never
 * cut off).
 */
@Injectable()
export class FeedSubscriberCaps implements OnModuleDestroy {
  private readonly leases: FleetLeases;

  constructor(
    @Inject(QUEUE_REDIS) redis: Redis,
    private readonly config: ConfigService,
  ) {
    // Nest's Logger (routed to pino in the app), as the rest of the feed module: it needs no logging module.
    const logger = new Logger(FeedSubscriberCaps.name);
    this.leases = new FleetLeases(
      redis,
      config.current.gateway.streamLeaseTtlMs,
      { warn: (fields, message) => logger.warn({ ...fields, msg: message }) },
      'feed viewer',
    );
  }

  onModuleDestroy(): void {
    this.leases.close();
  }

  /** Viewers this gateway holds. */
  get size(): number {
    return this.leases.size;
  }

  /**
   * Takes a slot, or throws RESOURCE_EXHAUSTED (→ 429) over a limit and UNAVAILABLE (→ 503) when the queue
   * Redis, which serves the feed itself, does not answer. The returned release is idempotent.
   */
  async admit(tenantId: string, sessionId: string): Promise<() => void> {
    const limits = this.config.current.limits;
    const prefix = `${this.config.current.redis.keyPrefix}:fleet:v1:viewers:{${tenantId}}`;
    let outcome;
    try {
      // Both counters carry the tenant's hash tag: one slot, so one script may touch both.
      outcome = await this.leases.acquire(randomUUID(), [
        { key: `${prefix}:session:${sessionId}`, max: limits.maxFeedSubscribersPerSession },
        { key: prefix, max: limits.maxFeedSubscribersPerTenant },
      ]);
    } catch (err) {
      throw unavailable(
        `cannot count this session's feed viewers (queue Redis: ${(err as Error).message}); retry shortly`,
      );
    }
    if (!outcome.admitted) {
      throw resourceExhausted(
        outcome.counter === 0
          ? `session "${sessionId}" already has ${outcome.held} feed viewers ` +
              `(limits.max_feed_subscribers_per_session, all gateways); close one or try again later`
          : `this tenant already has ${outcome.held} feed viewers ` +
              `(limits.max_feed_subscribers_per_tenant, all gateways); close one or try again later`,
      );
    }
    const { lease } = outcome;
    return () => lease.release();
  }
}
