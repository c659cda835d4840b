import { Module } from '@nestjs/common';
import { FeedModule } from '../feed/feed.module';
import { OverlayController } from './overlay.controller';
import { OverlayLinks } from './overlay-links';
import { UnexpectedErrors } from '../infra/unexpected-errors';

/** The OBS browser-source page and its feed. Needs only config and the subtitle feed (no Redis). */
@Module({
  imports: [FeedModule],
  controllers: [OverlayController],
  // UnexpectedErrors: one reporter for this module's and AppModule's HTTP surfaces.
  providers: [OverlayLinks, UnexpectedErrors],
  exports: [OverlayLinks, FeedModule, UnexpectedErrors],
})
export class OverlayModule {}
