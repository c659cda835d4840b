import { Injectable, Logger } from '@nestjs/common';
import type { StreamResponse } from '@olt/shared';
import { toFeedEventBody, type FeedEvent, type FeedEventBody, type FeedText } from './feed-event';
import { FeedLiveChannels } from './feed-live-channels';
import { FeedStore, type FeedSessionStatus } from './feed-store';

export type { FeedSessionStatus } from './feed-store';

export type FeedListener = (event: FeedEvent) => void;

/** Where a reconnecting client left off: the SSE id / WebSocket `after` value `${epoch}-${seq}`. */
export interface FeedCursor {
  epoch: string;
  seq: number;
}

/** Writes waiting for Redis; past this (Redis away) new feed events are dropped, the gRPC stream goes on. */
const MAX_PENDING_WRITES = 10_000;
/** Live events held for a viewer while its catch-up is read. */
const MAX_HELD_EVENTS = 1000;

interface Viewer {
  listener: FeedListener;
  epoch?: string;
  lastSeq: number;
  ready: boolean;
  held: FeedEvent[];
  closed: boolean;
}

interface LocalSession {
  tenantId: string;
  sessionId: string;
  viewers: Set<Viewer>;
  /** The catch-up waits for this: the subscription, or its deadline. */
  subscribed: Promise<void>;
  stop: () => void;
}

/**
 * Fans stream responses out to overlay pages and feed clients (SSE, WebSocket) on every gateway: the
 * gateway holding the stream writes each event to the queue Redis (FeedStore: numbered, kept in a bounded
 * catch-up window, published), and any gateway with viewers of that session receives it live
 * (FeedLiveChannels). Viewers catch up from the window and then follow live, with no gap and no duplicate
 * (events are numbered per session across the fleet, so cursors stay valid on any gateway).
 * Sessions are keyed by tenant AND session id: two tenants may use the same id and never see each other's.
 */
@Injectable()
export class SubtitleFeed {
  private readonly logger = new Logger(SubtitleFeed.name);
  private readonly local = new Map<string, LocalSession>();
  private pendingWrites = 0;
  private droppedWrites = 0;
  /** Writes of this gateway, in order (one connection keeps Redis's order the same). */
  private lastWrite: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: FeedStore,
    private readonly live: FeedLiveChannels,
  ) {
    live.onReconnect(() => {
      for (const session of this.local.values())
        for (const viewer of session.viewers) {
          // What was published while the connection was down comes from the window.
          viewer.ready = false;
          void this.catchUp(viewer, session);
        }
    });
  }

  /**
   * Called by the stream session for every response it writes to its gRPC client. Never throws and never
   * waits: a broken viewer or a slow Redis must not slow the stream.
   */
  publish(sessionId: string, response: StreamResponse, tenantId: string): void {
    const body = toFeedEventBody(response);
    if (body) this.write('publish', tenantId, sessionId, body);
  }

  /** The stream carrying this session ended (any outcome). History stays for `overlay.ended_session_ttl_s`. */
  end(sessionId: string, tenantId: string): void {
    this.write('end', tenantId, sessionId, { type: 'ended' });
  }

  /** Resolves once every event written so far by this gateway is in Redis (tests, shutdown). */
  flushed(): Promise<void> {
    return this.lastWrite;
  }

  /**
   * Replays what the client missed (everything kept when `after` is absent or from a previous epoch),
   * then delivers live events until unsubscribed. Works for sessions that have not started yet, and for
   * sessions streamed through any gateway.
   */
  subscribe(tenantId: string, sessionId: string, listener: FeedListener, after?: FeedCursor): () => void {
    const key = `${tenantId}\n${sessionId}`;
    let session = this.local.get(key);
    if (!session) {
      const viewers = new Set<Viewer>();
      const { subscribed, stop } = this.live.listen(this.store.keysFor(tenantId, sessionId).channel, (m) =>
        this.deliverLive(viewers, m),
      );
      session = { tenantId, sessionId, viewers, subscribed, stop };
      this.local.set(key, session);
    }
    const viewer: Viewer = {
      listener,
      epoch: after?.epoch,
      lastSeq: after?.seq ?? 0,
      ready: false,
      held: [],
      closed: false,
    };
    session.viewers.add(viewer);
    void this.catchUp(viewer, session);
    const owner = session;
    return () => {
      viewer.closed = true;
      owner.viewers.delete(viewer);
      if (owner.viewers.size === 0 && this.local.get(key) === owner) {
        this.local.delete(key);
        owner.stop();
      }
    };
  }

  /** The session's epoch (part of every cursor); creates it for a session that has not started. */
  epochOf(tenantId: string, sessionId: string): Promise<string> {
    return this.store.epoch(tenantId, sessionId);
  }

  status(tenantId: string, sessionId: string): Promise<FeedSessionStatus | undefined> {
    return this.store.status(tenantId, sessionId);
  }

  /**
   * The session's latest final transcript that ends at or before `endMs` (session time), from the catch-up
   * window: where a resumed call picks up its prompt and language, on whichever gateway it lands.
   */
  async lastFinal(tenantId: string, sessionId: string, endMs: number): Promise<FeedText | undefined> {
    const { events } = await this.store.catchUp(tenantId, sessionId);
    let last: FeedText | undefined;
    for (const e of events) {
      if (e.type !== 'transcript' || !e.isFinal || e.endMs === undefined || e.endMs > endMs) continue;
      if (e.text.trim() && (!last || e.endMs >= last.endMs!)) last = e;
    }
    return last;
  }

  async list(tenantId: string, opts: { includeEnded?: boolean } = {}): Promise<FeedSessionStatus[]> {
    const all = await this.store.list(tenantId);
    return opts.includeEnded ? all : all.filter((s) => s.state === 'live');
  }

  /**
   * Resolves once this gateway receives the session's live events (its channel is subscribed); events
   * published before that reach a viewer only through the catch-up window.
   */
  async whenLive(tenantId: string, sessionId: string): Promise<void> {
    await this.local.get(`${tenantId}\n${sessionId}`)?.subscribed;
  }

  /** Viewers of the session on this gateway. */
  subscriberCount(tenantId: string, sessionId: string): number {
    return this.local.get(`${tenantId}\n${sessionId}`)?.viewers.size ?? 0;
  }

  private write(op: 'publish' | 'end', tenantId: string, sessionId: string, body: FeedEventBody): void {
    if (this.pendingWrites >= MAX_PENDING_WRITES) {
      if (this.droppedWrites++ % 1000 === 0)
        this.logger.warn(`queue Redis is not keeping up: ${this.droppedWrites} subtitle feed events dropped`);
      return;
    }
    this.pendingWrites++;
    const at = Date.now();
    const done = this.store
      .emit(op, tenantId, sessionId, body, at)
      .catch((err: Error) => this.logger.warn(`subtitle feed event not stored: ${err.message}`))
      .finally(() => this.pendingWrites--);
    this.lastWrite = this.lastWrite.then(() => done);
  }

  /** Catch-up for one viewer (again after a reconnect: from what it has), then its held live events. */
  private async catchUp(viewer: Viewer, session: LocalSession): Promise<void> {
    try {
      await session.subscribed;
      const { epoch, events } = await this.store.catchUp(session.tenantId, session.sessionId);
      if (viewer.closed) return;
      if (viewer.epoch !== epoch) viewer.lastSeq = 0;
      viewer.epoch = epoch;
      for (const event of events) this.deliver(viewer, event);
    } catch (err) {
      this.logger.warn(`subtitle feed catch-up failed: ${(err as Error).message}`);
    }
    viewer.ready = true;
    for (const event of viewer.held.splice(0)) this.deliver(viewer, event);
  }

  private deliverLive(viewers: Set<Viewer>, message: string): void {
    const space = message.indexOf(' ');
    const epoch = message.slice(0, space);
    const event = JSON.parse(message.slice(space + 1)) as FeedEvent;
    for (const viewer of viewers) {
      if (!viewer.ready) {
        if (viewer.held.length < MAX_HELD_EVENTS) viewer.held.push(event);
        continue;
      }
      if (viewer.epoch !== epoch) {
        // The session's state expired and began again: its numbering restarted.
        viewer.epoch = epoch;
        viewer.lastSeq = 0;
      }
      this.deliver(viewer, event);
    }
  }

  private deliver(viewer: Viewer, event: FeedEvent): void {
    if (viewer.closed || event.seq <= viewer.lastSeq) return;
    viewer.lastSeq = event.seq;
    try {
      viewer.listener(event);
    } catch {
      // A viewer's transport failed; its own close handler unsubscribes it.
    }
  }
}

export function formatCursor(epoch: string, seq: number): string {
  return `${epoch}-${seq}`;
}

/** Parses `${epoch}-${seq}`; anything else means "no cursor" (replay all that is kept). */
export function parseCursor(value: unknown): FeedCursor | undefined {
  // Anything but a string (a repeated query parameter, a header given twice) is no cursor.
  const match = typeof value === 'string' ? /^([0-9a-f]{8})-(\d{1,15})$/.exec(value.trim()) : null;
  return match ? { epoch: match[1], seq: Number(match[2]) } : undefined;
}
