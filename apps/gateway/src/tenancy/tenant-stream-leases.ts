import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { ConfigService, QUEUE_REDIS, unavailable } from '@olt/shared';

/**
 * Admission in one step on the server's clock (gateway clocks may disagree): drop expired leases, refuse
 * at the limit, else add this call's lease. Returns {admitted (1/0), leases held after the call}.
 */
const ADMIT_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local held = redis.call('ZCARD', KEYS[1])
if held >= tonumber(ARGV[2]) then return {0, held} end
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl * 2)
return {1, held + 1}
`;

/** Extends the leases this gateway holds (re-adding one that lapsed while Redis was away: the stream runs). */
const REFRESH_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[1])
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], now + ttl, ARGV[i + 1])
  redis.call('PEXPIRE', KEYS[i], ttl * 2)
end
return #KEYS
`;

/** How long an admission may wait for Redis before the stream is refused (UNAVAILABLE). */
const ADMIT_TIMEOUT_MS = 2000;

export interface StreamLease {
  /** Gives the slot back; idempotent. */
  release(): void;
}

export type LeaseOutcome = { admitted: true; lease: StreamLease } | { admitted: false; held: number };

/**
 * A tenant's concurrent streams, counted across every gateway: one ZSET per tenant in the queue Redis,
 * member = gateway + call, score = the lease's expiry. The holding gateway refreshes its leases every third
 * of `gateway.stream_lease_ttl_ms`, so a gateway that dies (SIGKILL, lost node) frees its tenants' slots
 * within one TTL without anyone cleaning up after it.
 */
@Injectable()
export class TenantStreamLeases implements OnModuleDestroy {
  /** member → tenant key, for the refresh. */
  private readonly held = new Map<string, string>();
  private readonly timer: NodeJS.Timeout;
  private readonly ttlMs: number;
  private readonly prefix: string;

  constructor(
    @Inject(QUEUE_REDIS) private readonly redis: Redis,
    config: ConfigService,
    @InjectPinoLogger(TenantStreamLeases.name) private readonly logger: PinoLogger,
  ) {
    this.ttlMs = config.current.gateway.streamLeaseTtlMs;
    this.prefix = config.current.redis.keyPrefix;
    this.timer = setInterval(() => void this.refresh(), Math.max(100, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Leases held by this gateway (its open streams). */
  get size(): number {
    return this.held.size;
  }

  /**
   * Takes one of the tenant's `maxStreams` slots for `member` (unique per call). Throws UNAVAILABLE when
   * the queue Redis does not answer in time: admitting without counting would break the plan's limit.
   */
  async acquire(tenantId: string, member: string, maxStreams: number): Promise<LeaseOutcome> {
    const key = this.keyFor(tenantId);
    let reply: [number, number];
    try {
      reply = (await withDeadline(
        this.redis.eval(ADMIT_SCRIPT, 1, key, member, maxStreams, this.ttlMs),
        ADMIT_TIMEOUT_MS,
      )) as [number, number];
    } catch (err) {
      throw unavailable(
        `cannot count this tenant's open streams (queue Redis: ${(err as Error).message}); retry shortly`,
      );
    }
    if (reply[0] !== 1) return { admitted: false, held: reply[1] };
    this.held.set(member, key);
    let released = false;
    return {
      admitted: true,
      lease: {
        release: () => {
          if (released) return;
          released = true;
          this.held.delete(member);
          // A failed ZREM is harmless: the lease lapses within one TTL.
          this.redis.zrem(key, member).catch(() => undefined);
        },
      },
    };
  }

  private refreshing = false;

  async refresh(): Promise<void> {
    if (this.refreshing || this.held.size === 0) return;
    this.refreshing = true;
    try {
      const members = [...this.held.keys()];
      const keys = members.map((m) => this.held.get(m)!);
      await withDeadline(
        this.redis.eval(REFRESH_SCRIPT, keys.length, ...keys, this.ttlMs, ...members),
        this.ttlMs,
      );
    } catch (err) {
      this.logger.warn(
        { err: (err as Error).message, leases: this.held.size },
        'could not refresh tenant stream leases; they lapse if Redis stays away longer than the lease TTL',
      );
    } finally {
      this.refreshing = false;
    }
  }

  private keyFor(tenantId: string): string {
    return `${this.prefix}:fleet:v1:streams:{${tenantId}}`;
  }
}

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}
