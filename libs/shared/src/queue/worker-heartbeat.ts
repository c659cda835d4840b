import type { Redis } from 'ioredis';
import { workerHeartbeatKey, workerHeartbeatPattern, type WorkerKind } from './contracts';

export interface WorkerPresence {
  workerId: string;
  kind: WorkerKind;
  model: string;
  tier: string;
  executionProvider: string;
  startedAt: number;
  /** Jobs the worker takes at once (its queue concurrency); absent from workers older than tier routing. */
  slots?: number;
}

/** A worker announces itself with a key that expires unless refreshed: dead workers vanish by themselves. */
export class WorkerHeartbeat {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    private readonly presence: WorkerPresence,
    private readonly intervalMs: number,
  ) {}

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat().catch(() => undefined), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.redis
      .del(workerHeartbeatKey(this.presence.kind, this.presence.workerId))
      .catch(() => undefined);
  }

  private async beat(): Promise<void> {
    const ttlMs = this.intervalMs * 3;
    await this.redis.set(
      workerHeartbeatKey(this.presence.kind, this.presence.workerId),
      JSON.stringify(this.presence),
      'PX',
      ttlMs,
    );
  }
}

/** Lists live workers of a kind (SCAN, not KEYS: safe on a busy server). */
export async function listWorkers(redis: Redis, kind: WorkerKind): Promise<WorkerPresence[]> {
  const out: WorkerPresence[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', workerHeartbeatPattern(kind), 'COUNT', 200);
    cursor = next;
    if (keys.length) {
      const values = await redis.mget(...keys);
      for (const v of values) if (v) out.push(JSON.parse(v) as WorkerPresence);
    }
  } while (cursor !== '0');
  return out;
}
