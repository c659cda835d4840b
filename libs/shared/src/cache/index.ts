export * from './translation-cache';
export * from './translation-cache.module';
