export * from './asr-transcriber.port';
export * from './asr-dispatcher.service';
