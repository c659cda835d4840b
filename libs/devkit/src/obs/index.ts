export * from './headless-obs';
export * from './rtmp-receiver';
