import type { Redis } from 'ioredis';
import { withDeadline } from '@olt/shared';

/**
 * Admission in one step on the server's clock (gateway clocks may disagree): for each counter drop expired
 * leases and refuse when it is at its limit; else add the member's lease to every counter.
 * KEYS = counters; ARGV = member, ttl ms, then one limit per key. Returns {1, 0, 0} when admitted, else
 * {0, index of the full counter (1-based), leases it holds}.
 */
const ADMIT_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
for i = 1, #KEYS do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now)
  local held = redis.call('ZCARD', KEYS[i])
  if held >= tonumber(ARGV[i + 2]) then return {0, i, held} end
end
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], now + ttl, ARGV[1])
  redis.call('PEXPIRE', KEYS[i], ttl * 2)
end
return {1, 0, 0}
`;

/** Extends leases (re-adding one that lapsed while Redis was away: its holder still runs). KEYS[i] ↔ ARGV[i + 1]. */
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

/** Leases refreshed per script call, so that one call stays short however many this gateway holds. */
const REFRESH_BATCH = 500;

/** One counter a lease is taken on: a ZSET key in the queue Redis and the most leases it may hold. */
export interface LeaseCounter {
  key: string;
  max: number;
}

export interface FleetLease {
  /** Gives the slot back on every counter; idempotent. */
  release(): void;
}

export type FleetLeaseOutcome =
  | { admitted: true; lease: FleetLease }
  /** `counter`: index of the full counter in the acquire call; `held`: its leases. */
  | { admitted: false; counter: number; held: number };

export interface FleetLeaseLog {
  warn(obj: object, msg: string): void;
}

/**
 * Slots counted across every gateway (a tenant's streams, a session's viewers): one ZSET per counter in the
 * queue Redis, member = this holder's unique id, score = the lease's expiry. The holding gateway refreshes
 * its leases every third of the TTL, so a gateway that dies (SIGKILL, lost node) frees its slots within one
 * TTL without anyone cleaning up after it. Counters of one acquire must share a hash slot on a Cluster.
 */
export class FleetLeases {
  /** member → counters it holds, for the refresh. */
  private readonly held = new Map<string, string[]>();
  private readonly timer: NodeJS.Timeout;
  private refreshing = false;

  constructor(
    private readonly redis: Redis,
    private readonly ttlMs: number,
    private readonly log: FleetLeaseLog,
    /** What is counted, for log lines ("tenant stream", "feed viewer"). */
    private readonly what: string,
    /** How long an admission may wait for Redis. */
    private readonly admitTimeoutMs = 2000,
  ) {
    this.timer = setInterval(() => void this.refresh(), Math.max(100, Math.floor(ttlMs / 3)));
    this.timer.unref();
  }

  /** Stops refreshing: the leases still held lapse within one TTL. */
  close(): void {
    clearInterval(this.timer);
  }

  /** Leases this gateway holds. */
  get size(): number {
    return this.held.size;
  }

  /**
   * Takes a slot on every counter for `member` (unique per holder), or none when one is full. Rejects when
   * the queue Redis does not answer within the admission timeout: the caller decides what that means.
   */
  async acquire(member: string, counters: readonly LeaseCounter[]): Promise<FleetLeaseOutcome> {
    const keys = counters.map((c) => c.key);
    const reply = (await withDeadline(
      this.redis.eval(ADMIT_SCRIPT, keys.length, ...keys, member, this.ttlMs, ...counters.map((c) => c.max)),
      this.admitTimeoutMs,
    )) as [number, number, number];
    if (reply[0] !== 1) return { admitted: false, counter: reply[1] - 1, held: reply[2] };
    this.held.set(member, keys);
    let released = false;
    return {
      admitted: true,
      lease: {
        release: () => {
          if (released) return;
          released = true;
          this.held.delete(member);
          // A failed ZREM is harmless: the lease lapses within one TTL.
          const pipeline = this.redis.pipeline();
          for (const key of keys) pipeline.zrem(key, member);
          pipeline.exec().catch(() => undefined);
        },
      },
    };
  }

  async refresh(): Promise<void> {
    if (this.refreshing || this.held.size === 0) return;
    this.refreshing = true;
    try {
      const pairs: Array<[string, string]> = [];
      for (const [member, keys] of this.held) for (const key of keys) pairs.push([key, member]);
      for (let i = 0; i < pairs.length; i += REFRESH_BATCH) {
        const batch = pairs.slice(i, i + REFRESH_BATCH);
        await withDeadline(
          this.redis.eval(
            REFRESH_SCRIPT,
            batch.length,
            ...batch.map(([key]) => key),
            this.ttlMs,
            ...batch.map(([, member]) => member),
          ),
          this.ttlMs,
        );
      }
    } catch (err) {
      this.log.warn(
        { err: (err as Error).message, leases: this.held.size },
        `could not refresh ${this.what} leases; they lapse if Redis stays away longer than the lease TTL`,
      );
    } finally {
      this.refreshing = false;
    }
  }
}
