import type { StreamResponse__Output } from '../proto';
import { toCaptionPages } from './cea608-caption';
import { ObsConnection, type ObsConnectionStatus } from './obs-connection';
import type { ObsOutputSettings } from './obs-output-settings';
import {
  OBS_STATUS_OUTPUT_NOT_RUNNING,
  OBS_STATUS_RESOURCE_ALREADY_EXISTS,
  OBS_STATUS_RESOURCE_NOT_FOUND,
  errorCode,
  type ObsLogPort,
  type ObsSocketPort,
} from './obs-socket.port';
import { ObsWebSocketSocket } from './obs-websocket-socket';
import { readingTimeMs, type ReadingPace } from './reading-pace';
import { SubtitleComposer } from './subtitle-composer';
import type { DependencyBreaker } from '../resilience/circuit-breaker';

/** The Linux/macOS/Windows-neutral text input kind obs-websocket can create (FreeType 2 on Linux). */
export const TEXT_INPUT_KIND_LINUX = 'text_ft2_source_v2';
const TEXT_INPUT_KIND_WINDOWS = 'text_gdiplus_v2';

export interface ObsOutputStatus {
  connection: ObsConnectionStatus;
  textSource: { name: string; state: 'off' | 'idle' | 'ok' | 'missing' | 'error'; message: string };
  captions: {
    state: 'off' | 'idle' | 'ok' | 'not_streaming' | 'error';
    message: string;
    sent: number;
    dropped: number;
  };
  /** Interims not shown because the final on screen had not had its reading time yet. */
  interimsHeldBack: number;
}

export interface ObsSubtitleOutputDeps {
  log: ObsLogPort;
  socketFactory?: () => ObsSocketPort;
  /** This output's circuit breaker (the gateway gives each output one; see ObsConnectionDeps). */
  breaker?: DependencyBreaker;
}

/** Caption pages waiting beyond this are dropped, oldest first: live captions must not fall behind. */
const MAX_QUEUED_CAPTIONS = 4;

/** How long stop() waits for the last text to reach OBS. */
const STOP_FLUSH_MS = 2000;

/**
 * One OBS output: shows the latest subtitles in a named text source (SetInputSettings) and sends finals as
 * CEA-608 stream captions (SendStreamCaption), over a connection that survives OBS restarts. Used by the
 * CLI (OBS on the streamer's PC) and by the gateway (per session). Nothing here throws into the caller:
 * OBS being away is a status, not a failed stream.
 */
export class ObsSubtitleOutput {
  readonly connection: ObsConnection;
  private readonly composer: SubtitleComposer;
  private textState: ObsOutputStatus['textSource'];
  private captionState: ObsOutputStatus['captions'];
  private wantedText?: string;
  private appliedText?: string;
  private textInFlight = false;
  private readonly captionQueue: string[] = [];
  private captionTimer?: NodeJS.Timeout;
  private lastCaptionAt = 0;
  /** How long the caption sent last must stay up before the next one replaces it. */
  private lastCaptionHoldMs = 0;
  /** When the final on screen may give way to an interim. */
  private finalHeldUntil = 0;
  private interimsHeldBack = 0;
  private clearTimer?: NodeJS.Timeout;

  constructor(
    readonly settings: ObsOutputSettings,
    private readonly deps: ObsSubtitleOutputDeps,
  ) {
    this.composer = new SubtitleComposer(settings.languages, settings.interims);
    this.textState = settings.textSource
      ? { name: settings.textSource, state: 'idle', message: 'nothing shown yet' }
      : { name: '', state: 'off', message: 'no text source configured' };
    this.captionState = settings.captions
      ? { state: 'idle', message: 'no caption sent yet', sent: 0, dropped: 0 }
      : { state: 'off', message: 'stream captions off', sent: 0, dropped: 0 };
    this.connection = new ObsConnection(settings, {
      log: deps.log,
      socketFactory: deps.socketFactory ?? (() => new ObsWebSocketSocket()),
      breaker: deps.breaker,
      onConnected: () => this.resync(),
    });
    // Text that arrived while the connection was being (re)established goes out once it is up.
    this.connection.onStatus((s) => {
      if (s.state === 'connected') void this.flushText();
    });
  }

  start(): this {
    this.connection.start();
    return this;
  }

  status(): ObsOutputStatus {
    return {
      connection: this.connection.status(),
      textSource: { ...this.textState },
      captions: { ...this.captionState },
      interimsHeldBack: this.interimsHeldBack,
    };
  }

  private get pace(): ReadingPace {
    return {
      charsPerSecond: this.settings.readingCharsPerSecond,
      minDisplayMs: this.settings.minDisplayMs,
      maxDisplayMs: this.settings.maxDisplayMs,
    };
  }

  /** Feeds one stream response; updates the text source and queues captions as configured. */
  publish(response: StreamResponse__Output): void {
    if (this.settings.textSource) {
      const update = this.composer.apply(response);
      if (update && !update.final && Date.now() < this.finalHeldUntil) {
        // Behind the reader: the newest interim gives way to the final still being read, never the reverse.
        this.interimsHeldBack++;
      } else if (update) {
        if (update.final) this.finalHeldUntil = Date.now() + readingTimeMs(update.text, this.pace);
        this.showText(update.text);
      }
    }
    if (this.settings.captions) {
      const final = SubtitleComposer.finalFor(response, this.settings.captionLanguage);
      if (final) this.sendCaption(final.text);
    }
  }

  /** The text update in progress, if any (stop() waits for it). */
  private textFlush?: Promise<void>;

  /** Sets the text source's text (coalesced: only the newest text is sent when OBS is slow or away). */
  showText(text: string): void {
    if (!this.settings.textSource) return;
    this.wantedText = text;
    void this.flushText();
    this.scheduleClear(text);
  }

  /** Empties the text source after `clearAfterMs` of silence, as the overlay fades its lines. */
  private scheduleClear(text: string): void {
    clearTimeout(this.clearTimer);
    if (!this.settings.clearAfterMs || !text) return;
    this.clearTimer = setTimeout(() => {
      this.clearTimer = undefined;
      this.wantedText = '';
      void this.flushText();
    }, this.settings.clearAfterMs);
    this.clearTimer.unref?.();
  }

  /** Queues a caption, split into CEA-608 pages; sent at most once per captionMinIntervalMs. */
  sendCaption(text: string): void {
    if (!this.settings.captions) return;
    const pages = toCaptionPages(text, this.settings.captionMaxRows);
    this.captionQueue.push(...pages);
    while (this.captionQueue.length > MAX_QUEUED_CAPTIONS) {
      this.captionQueue.shift();
      this.captionState.dropped++;
    }
    this.scheduleCaption();
  }

  /** Stops after the newest text reached OBS (at most STOP_FLUSH_MS): a session's last final stays on screen. */
  async stop(): Promise<void> {
    clearTimeout(this.captionTimer);
    clearTimeout(this.clearTimer);
    this.captionQueue.length = 0;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_FLUSH_MS)));
    const flushed = (async () => {
      await this.textFlush;
      await this.flushText();
    })();
    await Promise.race([flushed, deadline]);
    clearTimeout(timer);
    await this.connection.stop();
  }

  private flushText(): Promise<void> {
    if (this.textInFlight || !this.connection.connected) return this.textFlush ?? Promise.resolve();
    this.textFlush = this.applyWantedText();
    return this.textFlush;
  }

  private async applyWantedText(): Promise<void> {
    while (
      this.wantedText !== undefined &&
      this.wantedText !== this.appliedText &&
      this.connection.connected
    ) {
      const text = this.wantedText;
      this.textInFlight = true;
      try {
        await this.setText(text);
        this.appliedText = text;
        this.setTextState('ok', `showing ${JSON.stringify(text.slice(0, 60))}`);
      } catch (err) {
        this.textFailed(err);
        break;
      } finally {
        this.textInFlight = false;
      }
    }
  }

  private async setText(text: string): Promise<void> {
    const inputName = this.settings.textSource;
    try {
      await this.connection.call('SetInputSettings', { inputName, inputSettings: { text } });
    } catch (err) {
      if (errorCode(err) !== OBS_STATUS_RESOURCE_NOT_FOUND || !this.settings.createSource) throw err;
      await this.createTextSource(text);
    }
  }

  private async createTextSource(text: string): Promise<void> {
    const sceneName =
      this.settings.scene ||
      String((await this.connection.call('GetCurrentProgramScene')).currentProgramSceneName ?? '');
    const kinds = (await this.connection.call('GetInputKindList', { unversioned: false })).inputKinds;
    const available = Array.isArray(kinds) ? (kinds as string[]) : [];
    const inputKind =
      [TEXT_INPUT_KIND_LINUX, TEXT_INPUT_KIND_WINDOWS].find((k) => available.includes(k)) ??
      TEXT_INPUT_KIND_LINUX;
    try {
      await this.connection.call('CreateInput', {
        sceneName,
        inputName: this.settings.textSource,
        inputKind,
        inputSettings: { text },
      });
      this.deps.log.info(
        { obs: this.settings.url, source: this.settings.textSource, scene: sceneName },
        `obs: created text source "${this.settings.textSource}" in scene "${sceneName}"`,
      );
    } catch (err) {
      // Another output created it in the meantime: just set the text.
      if (errorCode(err) !== OBS_STATUS_RESOURCE_ALREADY_EXISTS) throw err;
      await this.connection.call('SetInputSettings', {
        inputName: this.settings.textSource,
        inputSettings: { text },
      });
    }
  }

  private textFailed(err: unknown): void {
    const code = errorCode(err);
    const reason = err instanceof Error ? err.message : String(err);
    if (code === OBS_STATUS_RESOURCE_NOT_FOUND) {
      this.setTextState(
        'missing',
        `OBS has no input named "${this.settings.textSource}": add a Text source with that name, or enable source creation`,
      );
    } else if (this.connection.connected) {
      this.setTextState(
        'error',
        `could not set the text of "${this.settings.textSource}" (${code ?? '?'}: ${reason})`,
      );
    }
    // Not connected: the text is re-applied on reconnect (resync).
  }

  private setTextState(state: ObsOutputStatus['textSource']['state'], message: string): void {
    const changed = this.textState.state !== state;
    this.textState = { name: this.settings.textSource, state, message };
    if (changed && state !== 'ok') this.deps.log.warn({ obs: this.settings.url, state }, `obs: ${message}`);
  }

  private scheduleCaption(): void {
    if (this.captionTimer || this.captionQueue.length === 0) return;
    const hold = Math.max(this.settings.captionMinIntervalMs, this.lastCaptionHoldMs);
    const wait = Math.max(0, this.lastCaptionAt + hold - Date.now());
    this.captionTimer = setTimeout(() => {
      this.captionTimer = undefined;
      void this.sendNextCaption();
    }, wait);
    this.captionTimer.unref?.();
  }

  private async sendNextCaption(): Promise<void> {
    const page = this.captionQueue.shift();
    if (page === undefined) return;
    this.lastCaptionAt = Date.now();
    // Reading time of this page; when more pages wait (behind live), each gets only the minimum.
    this.lastCaptionHoldMs = this.captionQueue.length
      ? this.settings.minDisplayMs
      : readingTimeMs(page, this.pace);
    if (!this.connection.connected) {
      // Stale captions are worse than none: drop while OBS is away.
      this.captionState.dropped++;
    } else {
      try {
        await this.connection.call('SendStreamCaption', { captionText: page });
        this.captionState.sent++;
        this.setCaptionState('ok', `last caption ${JSON.stringify(page)}`);
      } catch (err) {
        this.captionState.dropped++;
        if (errorCode(err) === OBS_STATUS_OUTPUT_NOT_RUNNING) {
          this.setCaptionState(
            'not_streaming',
            'captions are skipped while OBS is not streaming (start streaming in OBS)',
          );
        } else {
          this.setCaptionState(
            'error',
            `SendStreamCaption failed: ${err instanceof Error ? err.message : String(err)}`,
          );
        }
      }
    }
    this.scheduleCaption();
  }

  private setCaptionState(state: ObsOutputStatus['captions']['state'], message: string): void {
    const changed = this.captionState.state !== state;
    this.captionState = { ...this.captionState, state, message };
    if (changed && state !== 'ok') this.deps.log.warn({ obs: this.settings.url, state }, `obs: ${message}`);
  }

  /** After a (re)connect: OBS may have restarted with an empty scene, so the current text is sent again. */
  private async resync(): Promise<void> {
    this.appliedText = undefined;
    if (this.wantedText === undefined) return;
    try {
      await this.setText(this.wantedText);
      this.appliedText = this.wantedText;
      this.setTextState('ok', `showing ${JSON.stringify(this.wantedText.slice(0, 60))}`);
    } catch (err) {
      this.textFailed(err);
    }
  }
}
