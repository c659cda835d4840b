import type { AsrReply } from '@olt/shared';
import type { StreamPriority } from '../session/session-settings';

export interface TranscribeRequest {
  sessionId: string;
  tenantId: string;
  plan: 'free' | 'pro' | 'enterprise';
  priority: StreamPriority;
  segmentId: string;
  /** Revision of the segment this decode is for (interims and the final share one counter). */
  revision: number;
  /** false = an interim decode of the growing segment (lower queue priority, audio deleted after). */
  isFinal: boolean;
  /** 16 kHz mono. */
  audio: Float32Array;
  startMs: number;
  endMs: number;
  /** Whisper code; undefined = detect. */
  language?: string;
  /** The stream's previous final text (prompt conditioning). */
  prompt?: string;
  /** Share of the audio the gateway's VAD heard as speech (finals only): feeds the hallucination guard. */
  vadSpeechRatio?: number;
}

/** Port: sends one decode of segment audio to the ASR workers and resolves with their reply. */
export interface AsrTranscriber {
  transcribe(req: TranscribeRequest): Promise<AsrReply>;
}
