import {
  Controller,
  Get,
  NotFoundException,
  Param,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfigService } from '@olt/shared';
import { FeedSubscriberCaps, serveSseFeed, SubtitleFeed, type FeedSessionStatus } from '../feed';
import { OverlayLinks } from '../overlay/overlay-links';
import type { Tenant } from '../tenancy/tenant';
import { ApiKeyGuard, CurrentTenant } from './api-key.guard';
import { HttpErrorFilter } from './http-error.filter';
import { ErrorDto, SessionDto, SessionListDto } from './rest-dto';
import { UnexpectedErrors } from '../infra/unexpected-errors';

@ApiTags('sessions')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ type: ErrorDto })
@Controller('v1/sessions')
@UseGuards(ApiKeyGuard)
@UseFilters(HttpErrorFilter)
export class SessionsController {
  constructor(
    private readonly feed: SubtitleFeed,
    private readonly links: OverlayLinks,
    private readonly config: ConfigService,
    private readonly caps: FeedSubscriberCaps,
    private readonly unexpected: UnexpectedErrors,
  ) {}

  @Get()
  @ApiOperation({ summary: "The caller's sessions on all gateways (live ones; ?all=1 adds recently ended)" })
  @ApiQuery({ name: 'all', required: false, enum: ['0', '1'] })
  @ApiOkResponse({ type: SessionListDto })
  async list(@CurrentTenant() tenant: Tenant, @Query('all') all?: string): Promise<SessionListDto> {
    const sessions = await this.feed.list(tenant.id, { includeEnded: all === '1' || all === 'true' });
    return { sessions: sessions.map((s) => this.toDto(s)) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Status of one session, with a fresh overlay link' })
  @ApiOkResponse({ type: SessionDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  async get(@CurrentTenant() tenant: Tenant, @Param('id') id: string): Promise<SessionDto> {
    const status = await this.feed.status(tenant.id, id);
    if (!status) {
      throw new NotFoundException(
        `no session "${id}" of this tenant (sessions are listed for ${this.config.current.overlay.endedSessionTtlS} s after they end)`,
      );
    }
    return this.toDto(status);
  }

  @Get(':id/feed')
  @ApiOperation({
    summary: 'Live subtitle feed (Server-Sent Events; or WebSocket on the same URL)',
    description:
      'Each event is a JSON FeedEvent (docs/protocol.md) with id "<epoch>-<seq>"; reconnect with ' +
      'Last-Event-ID or ?after=<id> to get what you missed. A WebSocket upgrade on this path sends the same ' +
      'JSON objects as text frames. Waits for sessions that have not started yet.',
  })
  @ApiProduces('text/event-stream')
  @ApiQuery({ name: 'after', required: false, description: 'id of the last event received' })
  @ApiTooManyRequestsResponse({ type: ErrorDto, description: 'too many feed viewers (limits.*)' })
  async feedEvents(
    @CurrentTenant() tenant: Tenant,
    @Param('id') id: string,
    @Req() req: IncomingMessage,
    @Res() res: ServerResponse,
    @Query('after') after?: string,
  ): Promise<void> {
    // Throws RESOURCE_EXHAUSTED (429) or UNAVAILABLE (503) before any byte of the stream is sent.
    const release = await this.caps.admit(tenant.id, id);
    serveSseFeed(this.feed, req, res, {
      tenantId: tenant.id,
      sessionId: id,
      after,
      keepaliveS: this.config.current.overlay.keepaliveS,
      onClose: release,
      onUnexpected: (err) => this.unexpected.report('sse', err, { tenantId: tenant.id, sessionId: id }),
    });
  }

  private toDto(s: FeedSessionStatus): SessionDto {
    return {
      sessionId: s.sessionId,
      state: s.state,
      startedAt: new Date(s.startedAt).toISOString(),
      endedAt: s.endedAt === undefined ? undefined : new Date(s.endedAt).toISOString(),
      lastActivityAt: new Date(s.lastActivityAt).toISOString(),
      sourceLanguage: s.sourceLanguage,
      targetLanguages: s.targetLanguages,
      finals: s.finals,
      streams: s.streams,
      viewers: this.feed.subscriberCount(s.tenantId, s.sessionId),
      overlayUrl: this.links.overlayUrlFor(s.sessionId, s.tenantId),
    };
  }
}
