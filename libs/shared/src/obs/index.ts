export * from './cea608-caption';
export * from './obs-connection';
export * from './obs-output-settings';
export * from './obs-socket.port';
export * from './obs-subtitle-output';
export * from './obs-websocket-socket';
export * from './reconnect-backoff';
export * from './subtitle-composer';
