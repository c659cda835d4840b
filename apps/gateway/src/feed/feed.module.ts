import { Module } from '@nestjs/common';
import { SubtitleFeed } from './subtitle-feed';

/** The subtitle fan-out: the stream session publishes into it; overlay and REST feeds read from it. */
@Module({ providers: [SubtitleFeed], exports: [SubtitleFeed] })
export class FeedModule {}
