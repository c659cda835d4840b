export * from './inference-session';
export * from './model-files';
export * from './merged-decoder';
export * from './logits';
export * from './float16';
