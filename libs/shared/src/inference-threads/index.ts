export * from './engine-thread-host';
export * from './engine-thread-pool';
export * from './inference-thread-settings';
export * from './owned-copy';
export * from './thread-messages';
