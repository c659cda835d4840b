import {
  Injectable,
  NotFoundException,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ConfigService, invalidArgument, redactUrl, requestIdOf } from '@olt/shared';
import { FeedSubscriberCaps, formatCursor, parseCursor, SubtitleFeed } from '../feed';
import { OverlayLinks } from '../overlay/overlay-links';
import { ApiKeyAuthenticator } from '../tenancy/api-key-authenticator';
import { httpError } from './http-error.filter';
import { UnexpectedErrors } from '../infra/unexpected-errors';

const API_FEED = /^\/v1\/sessions\/([^/]+)\/feed$/;
const OVERLAY_FEED = /^\/overlay\/([^/]+)\/ws$/;
/** A client this far behind is closed (1013 "try again later"); it reconnects with `after` and catches up. */
const MAX_BUFFERED_BYTES = 1 << 20;

/**
 * WebSocket subtitle feed on the HTTP port, for tools that cannot speak gRPC:
 * `/v1/sessions/{id}/feed` (Authorization: Bearer <api key>) and `/overlay/{id}/ws?token=…` (overlay token).
 * Sends the same JSON events as the SSE feeds, one per text frame, after a `{"type":"hello"}` frame.
 * Raw `ws` on the server's upgrade event rather than a Nest WS adapter: one path-routed handler, and the
 * gRPC side of this hybrid app is left untouched.
 */
@Injectable()
export class FeedWebSocketServer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly wss = new WebSocketServer({ noServer: true });
  private server?: Server;
  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) =>
    this.handleUpgrade(req, socket, head);

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly feed: SubtitleFeed,
    private readonly links: OverlayLinks,
    private readonly auth: ApiKeyAuthenticator,
    private readonly config: ConfigService,
    private readonly caps: FeedSubscriberCaps,
    private readonly unexpected: UnexpectedErrors,
  ) {}

  onApplicationBootstrap(): void {
    this.server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    this.server?.on('upgrade', this.onUpgrade);
  }

  onModuleDestroy(): void {
    this.server?.off('upgrade', this.onUpgrade);
    for (const client of this.wss.clients) client.close(1001, 'server shutting down');
    this.wss.close();
  }

  /**
   * Raw 'upgrade' listener: nothing around it catches, so everything in it is inside one try (and a rejection
   * of the async part is reported, never unhandled). A socket
   * error (the client resets mid-handshake) gets a listener first: Node removes its own on upgrade.
   */
  private handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const requestId = requestIdOf(req);
    this.upgrade(req, socket, head, requestId).catch((err: unknown) => {
      this.unexpected.report('ws', err, { requestId, url: redactUrl(req.url ?? '') });
      socket.destroy();
    });
  }

  private async upgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    requestId: string,
  ): Promise<void> {
    let release: (() => void) | undefined;
    try {
      const url = requestTarget(req.url);
      const api = API_FEED.exec(url.pathname);
      const overlay = OVERLAY_FEED.exec(url.pathname);
      if (!api && !overlay) {
        // Another upgrade handler may own the path; answer only when there is none.
        if (this.server?.listenerCount('upgrade') === 1)
          this.refuse(socket, req, requestId, new NotFoundException(`no WebSocket at ${url.pathname}`));
        return;
      }
      const sessionId = decodePathParam((api ?? overlay)![1]);
      const repeated = ['token', 'after'].find((name) => url.searchParams.getAll(name).length > 1);
      if (repeated)
        throw invalidArgument(`query parameter "${repeated}" is given more than once; give it once`);
      const tenantId = api
        ? this.auth.authenticate(req.headers.authorization).id
        : this.links.verify(url.searchParams.get('token') ?? undefined, sessionId).tenantId;
      release = await this.caps.admit(tenantId, sessionId);
      // However the handshake ends (ws may answer 400 itself and never call back), the slot comes back;
      // the client may also have gone while the admission waited for Redis.
      if (socket.destroyed) return release();
      socket.once('close', release);
      const after = parseCursor(url.searchParams.get('after'));
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        try {
          this.follow(ws, tenantId, sessionId, after, requestId);
        } catch (err) {
          this.unexpected.report('ws', err, { requestId, url: redactUrl(req.url ?? '') });
          ws.terminate();
        }
      });
    } catch (err) {
      release?.();
      this.refuse(socket, req, requestId, err);
    }
  }

  private refuse(socket: Duplex, req: IncomingMessage, requestId: string, err: unknown): void {
    const { status, body } = httpError(err, requestId);
    const where = { requestId, url: redactUrl(req.url ?? ''), upgrade: 'websocket' };
    if (status >= 500) this.unexpected.report('ws', err, where);
    else this.unexpected.rejected(status, body.error.message, where);
    reject(socket, status, body.error.code, body.error.message);
  }

  private follow(
    ws: WebSocket,
    tenantId: string,
    sessionId: string,
    after: ReturnType<typeof parseCursor>,
    requestId: string,
  ): void {
    // Timers and the publisher call in here from outside any request: a throw ends this viewer only.
    const guarded =
      (fn: () => void): (() => void) =>
      () => {
        try {
          fn();
        } catch (err) {
          this.unexpected.report('ws', err, { requestId, tenantId, sessionId });
          ws.terminate();
        }
      };
    ws.on('error', () => ws.terminate());
    let unsubscribe = (): void => {};
    let closed = false;
    // Epoch and state live in the queue Redis (shared by all gateways); a failed read closes the socket
    // with "try again later", and the page reconnects.
    Promise.all([this.feed.epochOf(tenantId, sessionId), this.feed.status(tenantId, sessionId)])
      .then(([epoch, status]) => {
        if (closed) return;
        ws.send(
          JSON.stringify({
            type: 'hello',
            serverTime: Date.now(),
            epoch,
            session: status?.state ?? 'waiting',
          }),
        );
        unsubscribe = this.feed.subscribe(
          tenantId,
          sessionId,
          (event) =>
            guarded(() => {
              if (ws.readyState !== ws.OPEN) return;
              if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
                ws.close(1013, 'client too slow: reconnect with ?after=<last id>');
                return;
              }
              ws.send(JSON.stringify({ ...event, id: formatCursor(epoch, event.seq) }));
            })(),
          after,
        );
      })
      .catch(() => ws.close(1013, 'subtitle feed state unavailable: reconnect'));
    const keepalive = setInterval(
      guarded(() => {
        if (ws.readyState === ws.OPEN) ws.ping();
      }),
      this.config.current.overlay.keepaliveS * 1000,
    );
    ws.once('close', () => {
      closed = true;
      clearInterval(keepalive);
      unsubscribe();
    });
  }
}

/** A path segment, percent-decoded; a malformed encoding is the client's error (400), not a crash. */
function decodePathParam(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw invalidArgument(`path segment "${segment}" is not valid percent-encoded UTF-8`);
  }
}

/** Refuses an upgrade with an HTTP status and the same JSON error body as the REST API. */
function reject(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
}

/**
 * The request target as a URL. Resolved against a base, `//x` would be read as a host name (and `//`
 * throws): an origin-form target is a path, so it is appended to the base instead.
 */
function requestTarget(raw: string | undefined): URL {
  const target = raw ?? '/';
  if (!target.startsWith('/')) throw invalidArgument('the request target must be a path starting with "/"');
  try {
    return new URL(`http://localhost${target}`);
  } catch {
    throw invalidArgument('the request target is not a valid URL path');
  }
}
