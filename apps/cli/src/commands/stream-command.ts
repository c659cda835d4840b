import type { LiveTranslateClient } from '@olt/shared';
import { ObsSubtitleOutput, obsOutputSettings } from '@olt/shared/dist/obs';
import { openAudioInput, openDeviceInput, type AudioInput } from '../audio/audio-input';
import { CaptionFiles } from '../captions/caption-files';
import { TerminalDisplay } from '../display/terminal-display';
import { CliError, EXIT, usageError } from '../exit-codes';
import { interruptOnCtrlC } from '../stream/interrupt';
import { runStream } from '../stream/stream-runner';

export interface StreamCommandOptions {
  server: string;
  key?: string;
  /** A file, '-' for raw PCM on stdin, or undefined with `device`. */
  input?: string;
  /** `<ffmpeg format>:<device>` to capture from, e.g. pulse:default. */
  device?: string;
  targets: string[];
  source: string;
  interim: boolean;
  silenceMs?: number;
  maxSegmentMs?: number;
  realtime: boolean;
  srt?: string;
  vtt?: string;
  format?: string;
  rate?: number;
  channels?: number;
  sessionId?: string;
  retries: number;
  obs?: {
    url: string;
    password: string;
    source: string;
    captions: boolean;
    languages: string[];
    interims: boolean;
  };
  display: TerminalDisplay;
}

export async function streamCommand(client: LiveTranslateClient, opts: StreamCommandOptions): Promise<void> {
  // Output files first: an unwritable path fails (exit 6) before any audio is read or sent.
  const files = await CaptionFiles.open(opts.srt, opts.vtt, opts.targets);
  const input: AudioInput = opts.device
    ? await openDeviceInput(opts.device)
    : await openAudioInput(opts.input!, { format: opts.format, rate: opts.rate, channels: opts.channels });
  const display = opts.display;
  let obs: ObsSubtitleOutput | undefined;
  if (opts.obs) {
    const settings = (() => {
      try {
        return obsOutputSettings({
          url: opts.obs.url,
          password: opts.obs.password,
          textSource: opts.obs.source,
          languages: opts.obs.languages,
          captions: opts.obs.captions,
          captionLanguage: opts.obs.languages[0],
          interims: opts.obs.interims,
        });
      } catch (err) {
        throw usageError((err as Error).message);
      }
    })();
    obs = new ObsSubtitleOutput(settings, {
      log: { info: (_, m) => display.status(m), warn: (_, m) => display.status(m) },
    }).start();
  }
  const interrupt = interruptOnCtrlC(() =>
    display.status('stopping: finishing the open segment (Ctrl+C again to quit at once)'),
  );
  try {
    const result = await runStream(client, {
      server: opts.server,
      key: opts.key,
      input,
      targets: opts.targets,
      source: opts.source,
      interim: opts.interim,
      silenceMs: opts.silenceMs,
      maxSegmentMs: opts.maxSegmentMs,
      realtime: opts.realtime,
      sessionId: opts.sessionId,
      maxRetries: opts.retries,
      stop: interrupt.signal,
      onResponse: (r, call) => {
        display.response(r);
        files.add(r, call);
        obs?.publish(r);
      },
      onProgress: (sent, total) => display.progress(sent, total),
      onStatus: (m) => display.status(m),
    });
    await files.close();
    display.done();
    display.status(
      `${result.stopped ? 'stopped' : 'done'}: ${(result.sentMs / 1000).toFixed(1)} s of audio, ${result.finals} finals, session ${result.sessionId}` +
        (files.written.length ? `; wrote ${files.written.join(', ')}` : ''),
    );
    // Give OBS the last text and caption before closing the connection.
    if (obs?.connection.connected)
      await new Promise((r) => setTimeout(r, Math.min(2000, obs!.settings.captionMinIntervalMs + 200)));
  } catch (err) {
    // Whatever arrived before the failure is still worth keeping.
    await files.close().catch(() => undefined); // the original error matters more
    display.done();
    throw err instanceof CliError ? err : new CliError(EXIT.INTERNAL, String(err));
  } finally {
    interrupt.dispose();
    input.close();
    await obs?.stop();
  }
}
