import { Controller, Get, Param, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfigService } from '@olt/shared';
import { FeedSubscriberCaps, serveSseFeed, SubtitleFeed } from '../feed';
import { httpError, HttpErrorFilter } from '../rest/http-error.filter';
import { UnexpectedErrors } from '../infra/unexpected-errors';
import { OverlayLinks } from './overlay-links';
import { renderOverlayError, renderOverlayPage } from './overlay-page';
import { OVERLAY_PARAMS, resolveOverlaySettings } from './overlay-settings';

const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  // The token is in the URL: never hand it to another origin.
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy':
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:",
  'X-Content-Type-Options': 'nosniff',
};

/**
 * The OBS browser source: GET /overlay/:sessionId?token=… serves the page, /overlay/:sessionId/events its
 * SSE feed. An unknown session is not an error: the page loads and waits, because OBS usually opens the
 * scene before the stream starts.
 */
@ApiTags('overlay')
@Controller('overlay')
@UseFilters(HttpErrorFilter)
export class OverlayController {
  constructor(
    private readonly links: OverlayLinks,
    private readonly feed: SubtitleFeed,
    private readonly config: ConfigService,
    private readonly caps: FeedSubscriberCaps,
    private readonly unexpected: UnexpectedErrors,
  ) {}

  @Get(':sessionId')
  @ApiOperation({
    summary: 'Browser-source page for OBS (transparent; styled by URL parameters)',
    description: `Parameters: token (required, from SessionStarted.overlay_url), ${OVERLAY_PARAMS.join(', ')}; see docs/protocol.md.`,
  })
  @ApiQuery({ name: 'token', required: true })
  @ApiProduces('text/html')
  page(
    @Param('sessionId') sessionId: string,
    @Query() query: Record<string, unknown>,
    @Res() res: ServerResponse,
  ): void {
    try {
      this.links.verify(typeof query.token === 'string' ? query.token : undefined, sessionId);
      const settings = resolveOverlaySettings(query, this.config.current.overlay);
      res.writeHead(200, PAGE_HEADERS);
      res.end(renderOverlayPage(sessionId, settings));
    } catch (err) {
      const { status, body } = httpError(err);
      res.writeHead(status, PAGE_HEADERS);
      res.end(renderOverlayError(status, body.error.message));
    }
  }

  @Get(':sessionId/events')
  @ApiOperation({
    summary: "The overlay's Server-Sent Events feed (same events as /v1/sessions/{id}/feed, token auth)",
  })
  @ApiQuery({ name: 'token', required: true })
  @ApiQuery({ name: 'after', required: false, description: 'id of the last event received' })
  @ApiProduces('text/event-stream')
  async events(
    @Param('sessionId') sessionId: string,
    @Query('token') token: string | undefined,
    @Query('after') after: string | undefined,
    @Req() req: IncomingMessage,
    @Res() res: ServerResponse,
  ): Promise<void> {
    const grant = this.links.verify(token, sessionId);
    // Throws RESOURCE_EXHAUSTED (429) or UNAVAILABLE (503) before any byte of the stream is sent.
    const release = await this.caps.admit(grant.tenantId, sessionId);
    serveSseFeed(this.feed, req, res, {
      tenantId: grant.tenantId,
      sessionId,
      after,
      keepaliveS: this.config.current.overlay.keepaliveS,
      onClose: release,
      onUnexpected: (err) => this.unexpected.report('sse', err, { tenantId: grant.tenantId, sessionId }),
    });
  }
}
