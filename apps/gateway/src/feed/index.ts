export * from './feed-event';
export * from './feed.module';
export * from './subtitle-feed';
export * from './sse-feed';
