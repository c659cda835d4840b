export * from './asr-engine.port';
export * from './mt-engine.port';
