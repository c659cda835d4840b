export * from './spec-runner';
export * from './system-programs';
export * from './test-certificates';
export * from './seeded-random';
export * from './until';
