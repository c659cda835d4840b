export * from './transition-store.port';
export * from './memory-transition-store';
export * from './phrase-chain';
