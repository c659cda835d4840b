export * from './feed-event';
export * from './feed-subscriber-caps';
export * from './feed.module';
export * from './subtitle-feed';
export * from './sse-feed';
