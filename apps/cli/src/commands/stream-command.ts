import type { LiveTranslateClient } from '@olt/shared';
import { ObsSubtitleOutput, obsOutputSettings } from '@olt/shared/dist/obs';
import { openAudioInput } from '../audio/audio-input';
import { CaptionFiles } from '../captions/caption-files';
import { TerminalDisplay } from '../display/terminal-display';
import { CliError, EXIT, usageError } from '../exit-codes';
import { runStream } from '../stream/stream-runner';

export interface StreamCommandOptions {
  server: string;
  key?: string;
  input: string;
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
  const input = await openAudioInput(opts.input, {
    format: opts.format,
    rate: opts.rate,
    channels: opts.channels,
  });
  const files = new CaptionFiles(opts.srt, opts.vtt, opts.targets);
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
      onResponse: (r, call) => {
        display.response(r);
        files.add(r, call);
        obs?.publish(r);
      },
      onProgress: (sent, total) => display.progress(sent, total),
      onStatus: (m) => display.status(m),
    });
    files.flush();
    display.done();
    display.status(
      `done: ${(result.sentMs / 1000).toFixed(1)} s of audio, ${result.finals} finals, session ${result.sessionId}` +
        (files.written.size ? `; wrote ${[...files.written].join(', ')}` : ''),
    );
    // Give OBS the last text and caption before closing the connection.
    if (obs?.connection.connected)
      await new Promise((r) => setTimeout(r, Math.min(2000, obs!.settings.captionMinIntervalMs + 200)));
  } catch (err) {
    // Whatever arrived before the failure is still worth keeping.
    if (files.enabled) {
      try {
        files.flush();
      } catch {
        // The original error matters more.
      }
    }
    display.done();
    throw err instanceof CliError ? err : new CliError(EXIT.INTERNAL, String(err));
  } finally {
    await obs?.stop();
  }
}
