import { Module } from '@nestjs/common';
import { FeedLiveChannels } from './feed-live-channels';
import { FeedStore } from './feed-store';
import { FeedSubscriberCaps } from './feed-subscriber-caps';
import { SubtitleFeed } from './subtitle-feed';

/**
 * The subtitle fan-out across the fleet: the stream session publishes into it; overlay and REST feeds on
 * any gateway read from it (state in the queue Redis), each viewer admitted by FeedSubscriberCaps.
 */
@Module({
  providers: [SubtitleFeed, FeedStore, FeedLiveChannels, FeedSubscriberCaps],
  exports: [SubtitleFeed, FeedSubscriberCaps],
})
export class FeedModule {}
