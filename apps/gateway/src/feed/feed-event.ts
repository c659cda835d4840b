import type { StreamResponse } from '@olt/shared';

/**
 * What overlay pages and feed clients receive: one flat JSON object per stream response, numbered per
 * session. `lang` is the transcript's language for the original text ("orig" line) and the target
 * language for translations. Wire format for SSE (`data:`) and WebSocket text frames alike.
 */
export type FeedEvent = FeedText | FeedSignal;

interface FeedBase {
  /** Increases by one per event of the session on this gateway; the SSE event id is `${epoch}-${seq}`. */
  seq: number;
  sessionId: string;
  /** Server time the gateway published the event (ms since epoch). */
  at: number;
}

export interface FeedText extends FeedBase {
  type: 'transcript' | 'translation';
  segmentId: string;
  revision: number;
  isFinal: boolean;
  text: string;
  lang: string;
  /** Transcripts only: session time of the segment. */
  startMs?: number;
  endMs?: number;
}

export interface FeedSignal extends FeedBase {
  type: 'started' | 'speech_start' | 'speech_end' | 'ended';
  segmentId?: string;
}

/** The part of an event that the feed fills in itself. */
export type FeedEventBody = Omit<FeedText, keyof FeedBase> | Omit<FeedSignal, keyof FeedBase>;

/**
 * Maps a stream response to what an overlay shows; LAG, SERVER_BUSY and WARNING events are for the
 * streaming client, not for viewers, and map to nothing.
 */
export function toFeedEventBody(response: StreamResponse): FeedEventBody | undefined {
  if (response.started) return { type: 'started' };
  const t = response.transcript;
  if (t) {
    return {
      type: 'transcript',
      segmentId: t.segmentId ?? '',
      revision: t.revision ?? 0,
      isFinal: t.isFinal ?? false,
      text: t.text ?? '',
      lang: t.language ?? '',
      startMs: Number(t.startMs ?? 0),
      endMs: Number(t.endMs ?? 0),
    };
  }
  const tr = response.translation;
  if (tr) {
    return {
      type: 'translation',
      segmentId: tr.segmentId ?? '',
      revision: tr.revision ?? 0,
      isFinal: tr.isFinal ?? false,
      text: tr.text ?? '',
      lang: tr.targetLanguage ?? '',
    };
  }
  const ev = response.event;
  // proto-loader accepts enum names and numbers on the way out; SPEECH_START = 1, SPEECH_END = 2.
  if (ev?.type === 'SPEECH_START' || ev?.type === 1)
    return { type: 'speech_start', segmentId: ev.segmentId ?? '' };
  if (ev?.type === 'SPEECH_END' || ev?.type === 2)
    return { type: 'speech_end', segmentId: ev.segmentId ?? '' };
  return undefined;
}

export function isText(event: FeedEvent): event is FeedText {
  return event.type === 'transcript' || event.type === 'translation';
}
