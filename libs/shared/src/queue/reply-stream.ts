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
  /**
   * A stream whose gateway is gone expires after this long. The live gateway refreshes the expiry itself
   * (ReplyStreamReader), so a stream never expires under its reader however long it stays idle; a worker
   * only sets an expiry on a stream that has none (one it created by answering a gateway that is gone).
   */
  ttlSeconds: number;
}

export class RedisReplyPublisher implements ReplyPublisher {
  constructor(
    private readonly redis: Redis,
    private readonly opts: ReplyStreamOptions = { maxLen: 10_000, ttlSeconds: REPLY_STREAM_TTL_S },
  ) {}

  async publish(gatewayId: string, reply: WorkerReply): Promise<void> {
    const key = replyStreamKey(gatewayId);
    const results = await this.redis
      .multi()
      .xadd(key, 'MAXLEN', '~', this.opts.maxLen, '*', 'r', JSON.stringify(reply))
      // NX: never shorten (or re-arm) the expiry its gateway keeps refreshing.
      .call('EXPIRE', key, this.opts.ttlSeconds, 'NX')
      .exec();
    const failed = results?.find(([err]) => err);
    if (failed) throw failed[0];
  }
}

/** Default lifetime of a reply stream without its gateway. */
export const REPLY_STREAM_TTL_S = 3600;

export interface ReplyReaderHealth {
  /** Replies can be read now: the last read round trip succeeded and was recent. */
  ok: boolean;
  detail: string;
}

export interface ReplyStreamReaderOptions {
  blockMs?: number;
  /** Expiry the gateway keeps on its own stream (refreshed every ttl/4 while it reads). */
  ttlSeconds?: number;
  /** Called when the stream or its group had vanished (expiry, a Redis restart) and was recreated. */
  onRecreated?: (reason: string) => void;
  now?: () => number;
}

/**
 * Reads one gateway's reply stream with a consumer group, so replies that arrive while a handler is busy
 * (or across a reader restart) are neither lost nor read twice. Runs on its own connection because
 * XREADGROUP BLOCK holds the connection.
 *
 * It heals itself: if the stream or its group disappears (a queue-Redis restart without persistence, a
 * FLUSH, an expiry) the next read fails with NOGROUP and the group is recreated at once from the start of
 * whatever stream exists, so replies written in between are still read. It keeps its stream from expiring
 * while it lives, and reports whether replies can be read (the gateway's /readyz).
 */
export class ReplyStreamReader {
  private running = false;
  private loop?: Promise<void>;
  private readonly key: string;
  private readonly group = 'gateway';
  private readonly blockMs: number;
  private readonly ttlSeconds: number;
  private readonly now: () => number;
  private lastOkAt = 0;
  private lastError?: string;
  private lastExpireAt = 0;

  constructor(
    private readonly redis: Redis,
    gatewayId: string,
    private readonly onReply: (reply: WorkerReply) => void,
    private readonly onError: (err: unknown) => void,
    opts: ReplyStreamReaderOptions = {},
  ) {
    this.key = replyStreamKey(gatewayId);
    this.blockMs = opts.blockMs ?? 1000;
    this.ttlSeconds = opts.ttlSeconds ?? REPLY_STREAM_TTL_S;
    this.now = opts.now ?? Date.now;
    this.onRecreated = opts.onRecreated;
  }

  private readonly onRecreated?: (reason: string) => void;

  async start(): Promise<void> {
    await this.ensureGroup('$');
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Whether replies can be read now: a read answered within the last few block intervals. */
  health(): ReplyReaderHealth {
    const staleAfterMs = this.blockMs * 3 + 2000;
    const age = this.now() - this.lastOkAt;
    if (this.running && age <= staleAfterMs) return { ok: true, detail: `read ${age} ms ago` };
    return {
      ok: false,
      detail: this.running
        ? `no reply-stream read for ${age} ms${this.lastError ? `: ${this.lastError}` : ''}`
        : 'reply reader stopped',
    };
  }

  /** `from`: '$' for a new gateway (nothing to read yet), '0' after a loss (read what was written since). */
  private async ensureGroup(from: '$' | '0'): Promise<void> {
    try {
      await this.redis.xgroup('CREATE', this.key, this.group, from, 'MKSTREAM');
    } catch (err) {
      if (!String(err).includes('BUSYGROUP')) throw err;
    }
    await this.keepAlive(true);
  }

  private async keepAlive(force = false): Promise<void> {
    const now = this.now();
    if (!force && now - this.lastExpireAt < (this.ttlSeconds * 1000) / 4) return;
    await this.redis.expire(this.key, this.ttlSeconds);
    this.lastExpireAt = now;
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
        this.lastOkAt = this.now();
        this.lastError = undefined;
        await this.keepAlive();
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
        this.lastError = err instanceof Error ? err.message : String(err);
        if (this.lastError.includes('NOGROUP')) {
          // The stream or its group is gone: recreate now rather than retry a read that cannot succeed.
          try {
            await this.ensureGroup('0');
            this.onRecreated?.(this.lastError);
            continue;
          } catch (recreateErr) {
            this.onError(recreateErr);
          }
        } else {
          this.onError(err);
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
}
