export * from './resume-point';
