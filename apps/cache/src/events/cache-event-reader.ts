import { CACHE_EVENTS_STREAM_V1, decodeCacheEvent, type CacheEventV1, type RedisClient } from '@olt/shared';

export type CacheEventListener = (event: CacheEventV1) => Promise<void> | void;

const GROUP = 'cache-service';

/**
 * Reads the gateways' lookup events with a consumer group (replicas of this service share the work, each
 * event is counted once). Recreates the group when a cache-Redis restart or eviction removed it. It runs
 * on its own connection: XREADGROUP BLOCK would hold up anything else on a shared one.
 */
export class CacheEventReader {
  private running = false;
  private loop?: Promise<void>;

  constructor(
    private readonly redis: RedisClient,
    private readonly consumer: string,
    private readonly listeners: readonly CacheEventListener[],
    private readonly onError: (err: Error) => void,
    private readonly blockMs = 1000,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.redis.disconnect();
    await this.loop?.catch(() => undefined);
  }

  private async ensureGroup(): Promise<void> {
    try {
      await this.redis.xgroup('CREATE', CACHE_EVENTS_STREAM_V1, GROUP, '$', 'MKSTREAM');
    } catch (err) {
      if (!/BUSYGROUP/.test((err as Error).message)) throw err;
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.ensureGroup();
        while (this.running) await this.readBatch();
      } catch (err) {
        if (!this.running) return;
        this.onError(err as Error);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private async readBatch(): Promise<void> {
    const reply = (await this.redis.xreadgroup(
      'GROUP', GROUP, this.consumer, 'COUNT', 500, 'BLOCK', this.blockMs, 'STREAMS', CACHE_EVENTS_STREAM_V1, '>',
    )) as [string, [string, string[]][]][] | null; // prettier-ignore
    if (!reply) return;
    const ids: string[] = [];
    for (const [, entries] of reply)
      for (const [id, fields] of entries) {
        ids.push(id);
        const event = decodeCacheEvent(fields);
        if (!event) continue;
        for (const listen of this.listeners) await listen(event);
      }
    if (ids.length) await this.redis.xack(CACHE_EVENTS_STREAM_V1, GROUP, ...ids);
  }
}
