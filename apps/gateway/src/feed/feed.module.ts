import { Module } from '@nestjs/common';
import { FeedSubscriberCaps } from './feed-subscriber-caps';
import { SubtitleFeed } from './subtitle-feed';

/**
 * The subtitle fan-out: the stream session publishes into it; overlay and REST feeds read from it, each
 * viewer admitted by FeedSubscriberCaps.
 */
@Module({ providers: [SubtitleFeed, FeedSubscriberCaps], exports: [SubtitleFeed, FeedSubscriberCaps] })
export class FeedModule {}
