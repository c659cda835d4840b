export * from './overlay-links';
export * from './overlay-token';
export * from './overlay-settings';
export * from './overlay.module';
