import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { ConfigService, type StreamResponse } from '@olt/shared';
import { toFeedEventBody, type FeedEvent, type FeedEventBody } from './feed-event';
import { FeedHistory } from './feed-history';

export type FeedListener = (event: FeedEvent) => void;

/** Where a reconnecting client left off: the SSE id / WebSocket `after` value `${epoch}-${seq}`. */
export interface FeedCursor {
  epoch: string;
  seq: number;
}

export interface FeedSessionStatus {
  sessionId: string;
  tenantId: string;
  state: 'live' | 'ended';
  startedAt: number;
  endedAt?: number;
  lastActivityAt: number;
  /** Language of the latest transcript (detected or configured). */
  sourceLanguage?: string;
  /** Target languages seen in translations so far, in order of first appearance. */
  targetLanguages: string[];
  finals: number;
  /** Streams (connections) that carried this session id; > 1 after a resume. */
  streams: number;
  /** Streams carrying it now: a resumed call may start before the old one is noticed as gone. */
  liveStreams: number;
}

/** One session's fan-out state on this gateway. Exists before the session starts when a viewer waits. */
class FeedChannel {
  /** Changes when the channel is re-created, so cursors of a previous life are recognised as stale. */
  readonly epoch = randomBytes(4).toString('hex');
  seq = 0;
  readonly listeners = new Set<FeedListener>();
  status?: FeedSessionStatus;
  constructor(readonly history: FeedHistory) {}
}

const SWEEP_INTERVAL_MS = 30_000;

/**
 * Fans stream responses out to overlay pages and feed clients (SSE, WebSocket), keeps a bounded per-session
 * history so reconnecting viewers catch up, and is the directory of this gateway's sessions for the REST
 * API. Sessions are keyed by tenant AND session id: session ids are chosen by clients, so two tenants may
 * use the same one and must never see each other's subtitles.
 *
 * In-process only: a viewer must reach the gateway that holds the stream (see docs/protocol.md, Overlay).
 */
@Injectable()
export class SubtitleFeed implements OnModuleDestroy {
  private readonly channels = new Map<string, FeedChannel>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly config: ConfigService) {
    this.sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  /**
   * Called by the stream session for every response it writes to its gRPC client. Never throws: a broken
   * viewer must not break the stream.
   */
  publish(sessionId: string, response: StreamResponse, tenantId: string): void {
    const body = toFeedEventBody(response);
    if (!body) return;
    const channel = this.channel(tenantId, sessionId, true)!;
    const now = Date.now();
    if (body.type === 'started') {
      const previous = channel.status;
      channel.status = {
        sessionId,
        tenantId,
        state: 'live',
        startedAt: previous?.startedAt ?? now,
        lastActivityAt: now,
        sourceLanguage: previous?.sourceLanguage,
        targetLanguages: previous?.targetLanguages ?? [],
        finals: previous?.finals ?? 0,
        streams: (previous?.streams ?? 0) + 1,
        liveStreams: (previous?.state === 'live' ? previous.liveStreams : 0) + 1,
      };
    } else if (channel.status) {
      const status = channel.status;
      status.lastActivityAt = now;
      status.state = 'live';
      status.endedAt = undefined;
      if (body.type === 'transcript' && body.lang) status.sourceLanguage = body.lang;
      if (body.type === 'translation' && body.lang && !status.targetLanguages.includes(body.lang))
        status.targetLanguages.push(body.lang);
      if ((body.type === 'transcript' || body.type === 'translation') && body.isFinal) status.finals++;
    }
    this.emit(channel, sessionId, body, now);
  }

  /** The stream carrying this session ended (any outcome). History stays for `overlay.ended_session_ttl_s`. */
  end(sessionId: string, tenantId: string): void {
    const channel = this.channel(tenantId, sessionId, false);
    if (!channel?.status || channel.status.state === 'ended') return;
    // The session ends with its last live call, not with the first of two to close.
    channel.status.liveStreams = Math.max(0, channel.status.liveStreams - 1);
    if (channel.status.liveStreams > 0) return;
    const now = Date.now();
    channel.status.state = 'ended';
    channel.status.endedAt = now;
    this.emit(channel, sessionId, { type: 'ended' }, now);
  }

  /**
   * Replays what the client missed (everything kept when `after` is absent or from a previous epoch),
   * then delivers live events until unsubscribed. Works for sessions that have not started yet.
   */
  subscribe(tenantId: string, sessionId: string, listener: FeedListener, after?: FeedCursor): () => void {
    const channel = this.channel(tenantId, sessionId, true)!;
    const fromSeq = after && after.epoch === channel.epoch ? after.seq : 0;
    for (const event of channel.history.since(fromSeq)) safeCall(listener, event);
    channel.listeners.add(listener);
    return () => {
      channel.listeners.delete(listener);
    };
  }

  /** The channel's epoch (part of every cursor); creates the channel like subscribe() does. */
  epochOf(tenantId: string, sessionId: string): string {
    return this.channel(tenantId, sessionId, true)!.epoch;
  }

  status(tenantId: string, sessionId: string): FeedSessionStatus | undefined {
    const status = this.channel(tenantId, sessionId, false)?.status;
    return status ? { ...status, targetLanguages: [...status.targetLanguages] } : undefined;
  }

  list(tenantId: string, opts: { includeEnded?: boolean } = {}): FeedSessionStatus[] {
    const out: FeedSessionStatus[] = [];
    for (const channel of this.channels.values()) {
      const s = channel.status;
      if (!s || s.tenantId !== tenantId) continue;
      if (s.state === 'ended' && !opts.includeEnded) continue;
      out.push({ ...s, targetLanguages: [...s.targetLanguages] });
    }
    return out.sort((a, b) => a.startedAt - b.startedAt);
  }

  subscriberCount(tenantId: string, sessionId: string): number {
    return this.channel(tenantId, sessionId, false)?.listeners.size ?? 0;
  }

  /** Drops ended sessions past their grace time, idle ones, and waiting channels nobody listens to. */
  sweep(now = Date.now()): void {
    const cfg = this.config.current.overlay;
    for (const [key, channel] of this.channels) {
      const s = channel.status;
      const expired = s
        ? (s.state === 'ended' && now - (s.endedAt ?? now) >= cfg.endedSessionTtlS * 1000) ||
          now - s.lastActivityAt >= cfg.idleSessionTtlS * 1000
        : channel.listeners.size === 0;
      // A channel with viewers stays (they wait for the session to come back); an idle one shows as ended.
      if (expired && channel.listeners.size === 0) this.channels.delete(key);
      else if (expired && s) s.state = 'ended';
    }
  }

  private channel(tenantId: string, sessionId: string, create: boolean): FeedChannel | undefined {
    const key = `${tenantId}\n${sessionId}`;
    let channel = this.channels.get(key);
    if (!channel && create) {
      channel = new FeedChannel(new FeedHistory(this.config.current.overlay.historyFinals));
      this.channels.set(key, channel);
    }
    return channel;
  }

  private emit(channel: FeedChannel, sessionId: string, body: FeedEventBody, at: number): void {
    const event = { ...body, seq: ++channel.seq, sessionId, at } as FeedEvent;
    channel.history.add(event);
    for (const listener of channel.listeners) safeCall(listener, event);
  }
}

function safeCall(listener: FeedListener, event: FeedEvent): void {
  try {
    listener(event);
  } catch {
    // A viewer's transport failed; its own close handler unsubscribes it.
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
