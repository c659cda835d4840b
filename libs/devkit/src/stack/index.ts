export * from './app-process';
export * from './free-port';
export * from './local-stack';
export * from './repo-root';
