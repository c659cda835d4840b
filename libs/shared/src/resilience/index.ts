export * from './circuit-breaker';
export * from './guarded-translation-cache';
export * from './breaker-from-config';
export { withDeadline } from './deadline';
