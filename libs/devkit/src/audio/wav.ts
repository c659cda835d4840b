// The WAV reader/writer lives in libs/shared (the CLI reads WAVs at run time); devkit re-exports it.
export { readWav, parseWav, writeWav, encodeWav, toPcm, fromPcm } from '@olt/shared';
export type { PcmEncoding, WavAudio, WavWriteInput } from '@olt/shared';
