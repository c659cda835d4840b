import { Module } from '@nestjs/common';
import { FeedModule } from '../feed/feed.module';
import { OverlayController } from './overlay.controller';
import { OverlayLinks } from './overlay-links';

/** The OBS browser-source page and its feed. Needs only config and the subtitle feed (no Redis). */
@Module({
  imports: [FeedModule],
  controllers: [OverlayController],
  providers: [OverlayLinks],
  exports: [OverlayLinks, FeedModule],
})
export class OverlayModule {}
