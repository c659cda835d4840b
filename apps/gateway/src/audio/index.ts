export * from './pcm-format';
export * from './decode-pcm';
export * from './streaming-resampler';
export * from './vad.port';
export * from './silero-vad';
export * from './segment-policy';
export * from './audio-pipeline';
