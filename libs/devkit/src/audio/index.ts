export * from './wav';
export * from './signal';
export * from './speech-fixtures';
