export * from './spec-runner';
export * from './system-programs';
