import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { ConfigService, QUEUE_REDIS, unavailable } from '@olt/shared';
import { FleetLeases, type FleetLease } from './fleet-leases';

export type StreamLease = FleetLease;

export type LeaseOutcome = { admitted: true; lease: StreamLease } | { admitted: false; held: number };

/**
 * A tenant's concurrent streams, counted across every gateway (FleetLeases: one ZSET per tenant in the
 * queue Redis, leases refreshed every third of `gateway.stream_lease_ttl_ms`, so a dead gateway's streams
 * stop counting within one TTL).
 */
@Injectable()
export class TenantStreamLeases implements OnModuleDestroy {
  private readonly leases: FleetLeases;
  private readonly prefix: string;

  constructor(
    @Inject(QUEUE_REDIS) redis: Redis,
    config: ConfigService,
    @InjectPinoLogger(TenantStreamLeases.name) logger: PinoLogger,
  ) {
    this.prefix = config.current.redis.keyPrefix;
    this.leases = new FleetLeases(redis, config.current.gateway.streamLeaseTtlMs, logger, 'tenant stream');
  }

  onModuleDestroy(): void {
    this.leases.close();
  }

  /** Leases held by this gateway (its open streams). */
  get size(): number {
    return this.leases.size;
  }

  /**
   * Takes one of the tenant's `maxStreams` slots for `member` (unique per call). Throws UNAVAILABLE when
   * the queue Redis does not answer in time: admitting without counting would break the plan's limit.
   */
  async acquire(tenantId: string, member: string, maxStreams: number): Promise<LeaseOutcome> {
    try {
      const outcome = await this.leases.acquire(member, [
        { key: `${this.prefix}:fleet:v1:streams:{${tenantId}}`, max: maxStreams },
      ]);
      return outcome.admitted ? outcome : { admitted: false, held: outcome.held };
    } catch (err) {
      throw unavailable(
        `cannot count this tenant's open streams (queue Redis: ${(err as Error).message}); retry shortly`,
      );
    }
  }
}
