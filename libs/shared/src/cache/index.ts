export * from './translation-cache';
export * from './translation-cache.module';
export * from './cache-events';
