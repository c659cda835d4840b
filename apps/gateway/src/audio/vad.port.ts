/** Frame size the VAD works on: 32 ms at 16 kHz. */
export const VAD_FRAME_SAMPLES = 512;
export const VAD_SAMPLE_RATE = 16000;

/**
 * Voice activity detector for one audio stream. Stateful (it remembers the previous frames), so each
 * stream needs its own instance; calls must not overlap (await each process()).
 */
export interface Vad {
  /** `frame`: exactly 512 samples at 16 kHz, mono, in [-1, 1]. Resolves to the speech probability 0..1. */
  process(frame: Float32Array): Promise<number>;
  /** Forget the stream's history (e.g. after a gap in the audio). */
  reset(): void;
}
