import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FeedEvent } from './feed-event';
import { formatCursor, parseCursor, type SubtitleFeed } from './subtitle-feed';

/** A viewer this far behind (bytes queued in its socket) is dropped; it reconnects and catches up. */
const MAX_BUFFERED_BYTES = 1 << 20;

export interface SseFeedOptions {
  tenantId: string;
  sessionId: string;
  /** `after` query parameter; the Last-Event-ID header (sent by EventSource on its own retries) wins. */
  after?: string;
  keepaliveS: number;
  /** Called once when the feed ends, however it ends (frees the viewer's FeedSubscriberCaps slot). */
  onClose?: () => void;
  /** An error nobody expected while the stream was open (headers already sent: it just ends). */
  onUnexpected?: (err: unknown) => void;
}

/**
 * Serves one session's feed as Server-Sent Events: a `hello` event (server time, session state), then
 * the catch-up events and live ones, each with id `${epoch}-${seq}`, and a comment line every keepalive
 * so proxies and OBS keep the connection open. Every write happens from a timer or the publisher, outside
 * any request handler: each is guarded, so a failing viewer ends its own stream and nothing else.
 */
export function serveSseFeed(
  feed: SubtitleFeed,
  req: IncomingMessage,
  res: ServerResponse,
  opts: SseFeedOptions,
): void {
  const header = req.headers['last-event-id'];
  const cursor = parseCursor(Array.isArray(header) ? header[0] : header) ?? parseCursor(opts.after);

  let closed = false;
  let unsubscribe = (): void => {};
  let keepalive: NodeJS.Timeout | undefined = undefined;
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(keepalive);
    unsubscribe();
    opts.onClose?.();
    if (!res.writableEnded) res.end();
  };
  /** Writes unless closed; a write that throws ends this viewer's stream alone. */
  const write = (text: string) => {
    if (closed) return;
    try {
      res.write(text);
    } catch (err) {
      opts.onUnexpected?.(err);
      close();
    }
  };
  // A socket error (reset peer, write after a destroy) must not become an unhandled 'error' event.
  res.on('error', close);
  req.once('close', close);
  res.once('close', close);
  // The viewer may have gone while its admission waited for Redis: then no 'close' event is left to come.
  if (req.destroyed || res.destroyed) return close();

  const head = req.method === 'HEAD';
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    ...(head ? {} : { Connection: 'keep-alive' }),
    // nginx and similar proxies buffer responses unless told not to; subtitles must not wait.
    'X-Accel-Buffering': 'no',
  });
  if (head) {
    // A HEAD has no body: its headers only go out on end(), and a subscription would never end it.
    close();
    return;
  }
  write('retry: 2000\n\n');
  keepalive = setInterval(() => write(': keepalive\n\n'), opts.keepaliveS * 1000);
  // Epoch and state live in the queue Redis (shared by all gateways); a failed read ends this viewer,
  // whose EventSource reconnects on its own.
  Promise.all([feed.epochOf(opts.tenantId, opts.sessionId), feed.status(opts.tenantId, opts.sessionId)])
    .then(([epoch, status]) => {
      if (closed) return;
      write(
        `event: hello\ndata: ${JSON.stringify({ serverTime: Date.now(), epoch, session: status?.state ?? 'waiting' })}\n\n`,
      );
      const send = (event: FeedEvent) => {
        if (closed) return;
        if (res.writableLength > MAX_BUFFERED_BYTES) {
          close();
          return;
        }
        write(`id: ${formatCursor(epoch, event.seq)}\ndata: ${JSON.stringify(event)}\n\n`);
      };
      unsubscribe = feed.subscribe(opts.tenantId, opts.sessionId, send, cursor);
      if (closed) unsubscribe();
    })
    .catch(() => close());
}
