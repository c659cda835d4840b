import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { closeRedis, QUEUE_REDIS, withDeadline } from '@olt/shared';

export type LiveMessageHandler = (message: string) => void;

/** How long a SUBSCRIBE may take before the viewer's catch-up goes ahead without it. */
const SUBSCRIBE_TIMEOUT_MS = 5000;

/**
 * The live half of the subtitle feed: one pub/sub connection per gateway, subscribed to the channels of
 * the sessions that have viewers here (and only those, so a gateway's traffic grows with its viewers, not
 * with the fleet's streams). ioredis subscribes again after a reconnect; what was published meanwhile is
 * recovered by the viewers' catch-up, which `onReconnect` triggers.
 */
@Injectable()
export class FeedLiveChannels implements OnModuleDestroy {
  private readonly logger = new Logger(FeedLiveChannels.name);
  private subscriber?: Redis;
  private readonly handlers = new Map<string, Set<LiveMessageHandler>>();
  private readonly reconnectListeners = new Set<() => void>();
  private wasDown = false;

  constructor(@Inject(QUEUE_REDIS) private readonly redis: Redis) {}

  /** Resolves once the channel is subscribed (or after a deadline: catch-up then covers the gap). */
  listen(channel: string, handler: LiveMessageHandler): { subscribed: Promise<void>; stop: () => void } {
    const sub = this.connection();
    let set = this.handlers.get(channel);
    const first = !set;
    if (!set) this.handlers.set(channel, (set = new Set()));
    set.add(handler);
    const subscribing = first ? sub.subscribe(channel) : Promise.resolve(0);
    const subscribed = first
      ? withDeadline(subscribing, SUBSCRIBE_TIMEOUT_MS).catch((err: Error) => {
          this.logger.warn(`subscribing to ${channel} failed: ${err.message}`);
          // The viewers' catch-up went ahead without the channel; events published until the SUBSCRIBE
          // took effect reached nobody here. When it does, catch them up again (as after a reconnect).
          subscribing.then(
            () => this.catchUpAgain(),
            () => undefined,
          );
        })
      : Promise.resolve();
    return {
      subscribed: subscribed.then(() => undefined),
      stop: () => {
        const current = this.handlers.get(channel);
        if (!current?.delete(handler) || current.size > 0) return;
        this.handlers.delete(channel);
        sub.unsubscribe(channel).catch(() => undefined);
      },
    };
  }

  private catchUpAgain(): void {
    for (const listener of this.reconnectListeners) listener();
  }

  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  async onModuleDestroy(): Promise<void> {
    if (this.subscriber) await closeRedis(this.subscriber);
  }

  private connection(): Redis {
    if (this.subscriber) return this.subscriber;
    const sub = this.redis.duplicate({ connectionName: 'olt-queue-feed-live' });
    sub.on('message', (channel: string, message: string) => {
      for (const handler of this.handlers.get(channel) ?? []) {
        try {
          handler(message);
        } catch {
          // A viewer's transport failed; its own close handler stops it.
        }
      }
    });
    sub.on('error', () => (this.wasDown = true));
    sub.on('close', () => (this.wasDown = true));
    sub.on('ready', () => {
      if (!this.wasDown) return;
      this.wasDown = false;
      // ioredis re-sent the SUBSCRIBEs before 'ready'; a PING on the same connection answers only after
      // they took effect. Catching up before that (the read runs on another connection) could miss an
      // event published in between, as all gateways reconnect at once after a failover.
      withDeadline(sub.ping(), SUBSCRIBE_TIMEOUT_MS)
        .catch(() => undefined)
        .finally(() => this.catchUpAgain());
    });
    this.subscriber = sub;
    return sub;
  }
}
