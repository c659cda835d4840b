export * from './worker-http-server';
export * from './queue-worker-host';
export * from './worker-identity';
export * from './failed-job';
