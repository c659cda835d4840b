export * from './contracts';
export * from './job-queue.port';
export * from './bullmq-job-queue';
export * from './segment-store';
export * from './reply-stream';
export * from './worker-heartbeat';
export * from './queue.module';
