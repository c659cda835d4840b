import type { Redis } from 'ioredis';
import { replyStreamKey, type WorkerReply } from './contracts';

/** Port: workers post results to the gateway that owns the session. */
export interface ReplyPublisher {
  publish(gatewayId: string, reply: WorkerReply): Promise<void>;
}

export const REPLY_PUBLISHER = Symbol('ReplyPublisher');

export interface ReplyStreamOptions {
  /** Approximate cap on entries kept per gateway stream. */
  maxLen: number;
  /** A stream whose gateway is gone expires after this long without writes. */
  ttlSeconds: number;
}

export class RedisReplyPublisher implements ReplyPublisher {
  constructor(
    private readonly redis: Redis,
    private readonly opts: ReplyStreamOptions = { maxLen: 10_000, ttlSeconds: 3600 },
  ) {}

  async publish(gatewayId: string, reply: WorkerReply): Promise<void> {
    const key = replyStreamKey(gatewayId);
    await this.redis
      .multi()
      .xadd(key, 'MAXLEN', '~', this.opts.maxLen, '*', 'r', JSON.stringify(reply))
      .expire(key, this.opts.ttlSeconds)
      .exec();
  }
}

/**
 * Reads one gateway's reply stream with a consumer group, so replies that arrive while a handler is busy
 * (or across a reader restart) are neither lost nor read twice. Runs on its own connection because
 * XREADGROUP BLOCK holds the connection.
 */
export class ReplyStreamReader {
  private running = false;
  private loop?: Promise<void>;
  private readonly key: string;
  private readonly group = 'gateway';

  constructor(
    private readonly redis: Redis,
    gatewayId: string,
    private readonly onReply: (reply: WorkerReply) => void,
    private readonly onError: (err: unknown) => void,
    private readonly blockMs = 1000,
  ) {
    this.key = replyStreamKey(gatewayId);
  }

  async start(): Promise<void> {
    try {
      await this.redis.xgroup('CREATE', this.key, this.group, '$', 'MKSTREAM');
    } catch (err) {
      if (!String(err).includes('BUSYGROUP')) throw err;
    }
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const res = (await this.redis.xreadgroup(
          'GROUP',
          this.group,
          'reader',
          'COUNT',
          256,
          'BLOCK',
          this.blockMs,
          'STREAMS',
          this.key,
          '>',
        )) as [string, [string, string[]][]][] | null;
        if (!res) continue;
        const ids: string[] = [];
        for (const [, entries] of res) {
          for (const [id, fields] of entries) {
            ids.push(id);
            const json = fields[fields.indexOf('r') + 1];
            try {
              this.onReply(JSON.parse(json) as WorkerReply);
            } catch (err) {
              this.onError(err);
            }
          }
        }
        if (ids.length) await this.redis.xack(this.key, this.group, ...ids);
      } catch (err) {
        if (!this.running) break;
        this.onError(err);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
}
