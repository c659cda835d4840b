export * from './live-translate-client';
