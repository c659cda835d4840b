export * from './audio';
export * from './client';
export * from './models/tiny-models';
export * from './models/nllb';
export * from './models/whisper';
export * from './redis';
export * from './stack';
export * from './obs';
