import { invalidArgument } from '../errors';

/** What one OBS output does: where OBS is, which text source to drive, whether to send stream captions. */
export interface ObsOutputSettings {
  /** obs-websocket v5 server, e.g. ws://127.0.0.1:4455 (OBS → Tools → WebSocket Server Settings). */
  url: string;
  /** '' when OBS has authentication turned off. */
  password: string;
  /** Name of the OBS text source that shows subtitles; '' = do not drive a text source. */
  textSource: string;
  /** Create the text source in the scene when it does not exist. */
  createSource: boolean;
  /** Scene to create the source in; '' = the current program scene. */
  scene: string;
  /** Also push interim (not yet final) text into the text source. */
  interims: boolean;
  /** Lines shown in the text source, in order: 'source' = the transcript, else a target language code. */
  languages: string[];
  /** Send finals as CEA-608 stream captions (SendStreamCaption; needs OBS to be streaming). */
  captions: boolean;
  /** Language of the captions: 'source' or a target language code. */
  captionLanguage: string;
  /** Rows per caption page (1–4, 32 characters each). */
  captionMaxRows: number;
  /** At least this long between two captions, whatever their length. */
  captionMinIntervalMs: number;
  /**
   * Reading pace: a caption page (and a final in the text source) stays up for its length at this many
   * characters per second, between minDisplayMs and maxDisplayMs.
   */
  readingCharsPerSecond: number;
  minDisplayMs: number;
  maxDisplayMs: number;
  /** The text source is emptied after this long without new text (like the overlay's fade); 0 = never. */
  clearAfterMs: number;
  reconnectInitialMs: number;
  reconnectMaxMs: number;
}

export const SOURCE_LINE = 'source';

export const DEFAULT_OBS_OUTPUT_SETTINGS: Readonly<ObsOutputSettings> = Object.freeze({
  url: 'ws://127.0.0.1:4455',
  password: '',
  textSource: 'Subtitles',
  createSource: true,
  scene: '',
  interims: false,
  languages: [SOURCE_LINE],
  captions: false,
  captionLanguage: SOURCE_LINE,
  captionMaxRows: 2,
  captionMinIntervalMs: 1000,
  readingCharsPerSecond: 17,
  minDisplayMs: 2000,
  maxDisplayMs: 7000,
  clearAfterMs: 8000,
  reconnectInitialMs: 500,
  reconnectMaxMs: 30000,
});

/** Defaults + overrides, checked: a bad value fails here, with what to write instead. */
export function obsOutputSettings(overrides: Partial<ObsOutputSettings> = {}): ObsOutputSettings {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  const s: ObsOutputSettings = { ...DEFAULT_OBS_OUTPUT_SETTINGS, ...defined };
  if (!/^wss?:\/\/[^/\s]+/.test(s.url)) {
    throw invalidArgument(`OBS url "${s.url}" must look like ws://127.0.0.1:4455 (obs-websocket v5)`);
  }
  if (!s.textSource && !s.captions) {
    throw invalidArgument('an OBS output needs a text source name, captions turned on, or both');
  }
  if (s.languages.length === 0) throw invalidArgument(`OBS languages must name at least one line ('source')`);
  if (!Number.isInteger(s.captionMaxRows) || s.captionMaxRows < 1 || s.captionMaxRows > 4) {
    throw invalidArgument(
      `OBS caption rows must be 1 to 4 (CEA-608 shows at most 4), not ${s.captionMaxRows}`,
    );
  }
  if (!(s.readingCharsPerSecond > 0) || s.minDisplayMs < 0 || s.maxDisplayMs < s.minDisplayMs) {
    throw invalidArgument('OBS reading pace must satisfy chars/s > 0 and 0 <= min display <= max display');
  }
  if (s.reconnectInitialMs < 1 || s.reconnectMaxMs < s.reconnectInitialMs) {
    throw invalidArgument('OBS reconnect delays must satisfy 1 <= initial <= max');
  }
  return s;
}
