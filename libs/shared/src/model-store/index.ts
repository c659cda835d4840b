export * from './model-catalog';
export * from './download-progress';
export * from './file-downloader';
export * from './model-store';
