/**
 * The shared OBS output (libs/shared/src/obs) against a REAL OBS Studio running headless under Xvfb: text
 * source updates, stream captions decoded back from a real RTMP stream, reconnect after OBS restarts, and the
 * status a wrong password gives. It lives in devkit, next to the OBS launcher, because devkit depends on
 * shared and not the other way round.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { StreamResponse__Output } from '@olt/shared';
import {
  ObsSubtitleOutput,
  ObsWebSocketSocket,
  obsOutputSettings,
  type ObsLogPort,
  type ObsOutputSettings,
} from '@olt/shared/dist/obs';
import { needsPrograms } from '../testing/system-programs';
import { startHeadlessObs, type HeadlessObs } from './headless-obs';
import { decodeCaptions, startRtmpReceiver } from './rtmp-receiver';

const skip = needsPrograms(['obs', 'ffmpeg'], 'OBS text source and CEA-608 captions against a real OBS');

class RecordingLog implements ObsLogPort {
  readonly lines: { level: string; msg: string }[] = [];
  info = (_: object, msg: string) => void this.lines.push({ level: 'info', msg });
  warn = (_: object, msg: string) => void this.lines.push({ level: 'warn', msg });
}

const transcript = (segmentId: string, text: string): StreamResponse__Output =>
  ({ transcript: { segmentId, text, isFinal: true, revision: 1, language: 'en' } }) as StreamResponse__Output;
const translation = (segmentId: string, targetLanguage: string, text: string): StreamResponse__Output =>
  ({
    translation: { segmentId, targetLanguage, text, isFinal: true, revision: 1 },
  }) as StreamResponse__Output;

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

describe('OBS output against a real headless OBS', { skip }, () => {
  let obs: HeadlessObs;
  /** A second, independent connection that reads back what OBS holds. */
  let probe: ObsWebSocketSocket;
  const outputs: ObsSubtitleOutput[] = [];
  const output = (settings: Partial<ObsOutputSettings>, log = new RecordingLog()) => {
    const o = new ObsSubtitleOutput(
      obsOutputSettings({
        url: obs.url,
        password: obs.password,
        reconnectInitialMs: 100,
        reconnectMaxMs: 400,
        ...settings,
      }),
      { log },
    ).start();
    outputs.push(o);
    return o;
  };
  const sourceText = async (name: string) =>
    ((await probe.call('GetInputSettings', { inputName: name })).inputSettings as { text?: string }).text;

  before(async () => {
    obs = await startHeadlessObs();
    probe = new ObsWebSocketSocket();
    await probe.connect(obs.url, obs.password);
  });
  after(async () => {
    await Promise.all(outputs.map((o) => o.stop()));
    await probe?.disconnect().catch(() => undefined);
    await obs?.dispose();
  });

  test('creates the missing text source in the current scene and shows source + translation lines', async () => {
    const log = new RecordingLog();
    const o = output({ textSource: 'Subtitles', languages: ['es', 'source'] }, log);
    await o.connection.whenConnected(10_000);
    assert.equal(o.status().connection.state, 'connected');
    assert.match(
      o.status().connection.message,
      /^connected to OBS at ws:\/\/127\.0\.0\.1:\d+ \(obs-websocket 5\./,
    );
    o.publish(transcript('s1', 'good morning'));
    o.publish(translation('s1', 'es', 'buenos días'));
    await until('both lines in OBS', async () =>
      (await sourceText('Subtitles')) === 'buenos días\ngood morning' ? true : undefined,
    );
    const items = (await probe.call('GetSceneItemList', { sceneName: 'Scene' })).sceneItems as {
      sourceName: string;
    }[];
    assert.ok(
      items.some((i) => i.sourceName === 'Subtitles'),
      'the source was added to the current scene',
    );
    assert.ok(log.lines.some((l) => /created text source "Subtitles" in scene "Scene"/.test(l.msg)));
    assert.equal(o.status().textSource.state, 'ok');
  });

  test('says the text source is missing instead of creating it when creation is off', async () => {
    const o = output({ textSource: 'NoSuchSource', createSource: false });
    await o.connection.whenConnected(10_000);
    o.showText('hello');
    const state = await until('missing status', () =>
      o.status().textSource.state === 'missing' ? o.status() : undefined,
    );
    assert.match(state.textSource.message, /OBS has no input named "NoSuchSource"/);
  });

  test('stream captions: skipped while not streaming, then embedded as CEA-608 in the real stream', async () => {
    const o = output({ textSource: '', captions: true, captionMinIntervalMs: 300 });
    await o.connection.whenConnected(10_000);
    o.sendCaption('not streaming yet');
    await until('not_streaming', () => (o.status().captions.state === 'not_streaming' ? true : undefined));

    const receiver = await startRtmpReceiver(join(mkdtempSync(join(tmpdir(), 'olt-rtmp-')), 'stream.flv'));
    try {
      // A small, slow picture keeps x264 light on a busy 2-core CI machine (the suite runs files in parallel).
      await probe.call('SetVideoSettings', {
        fpsNumerator: 15,
        fpsDenominator: 1,
        baseWidth: 320,
        baseHeight: 180,
        outputWidth: 320,
        outputHeight: 180,
      });
      await probe.call('SetStreamServiceSettings', {
        streamServiceType: 'rtmp_custom',
        streamServiceSettings: { server: receiver.server, key: receiver.key },
      });
      await probe.call('StartStream');
      // Captions ride on encoded frames: wait until video really flows to the receiver.
      let last: unknown;
      await until(
        'stream flowing',
        async () => {
          const status = await probe.call('GetStreamStatus');
          last = status;
          return status.outputActive && Number(status.outputBytes) > 0 ? true : undefined;
        },
        30_000,
      ).catch((err: Error) => {
        throw new Error(`${err.message}; last GetStreamStatus ${JSON.stringify(last)}`);
      });
      await new Promise((r) => setTimeout(r, 1000));
      // Basic (ñ é), special (¿) and extended Western European characters (ö ß « » ï): all kept as they are.
      o.publish(transcript('c1', 'Señor, ¿qué tal? Größe «très» naïve, año'));
      await until('the caption sent', () => (o.status().captions.sent >= 1 ? true : undefined));
      // OBS attaches the caption to a later frame and interleaves before sending: let those frames go out.
      await new Promise((r) => setTimeout(r, 1500));
      await probe.call('StopStream');
      await Promise.race([receiver.finished, new Promise((r) => setTimeout(r, 5000))]);
    } finally {
      await receiver.stop();
    }
    const captions = decodeCaptions(receiver.file);
    assert.deepEqual(captions, ['Señor, ¿qué tal? Größe «très»\nnaïve, año']);
    assert.equal(o.status().captions.state, 'ok');
  });

  test('a wrong password gives the auth_failed status, in words, and a warning', async () => {
    const log = new RecordingLog();
    const o = output({ password: 'not-the-password' }, log);
    const status = await until('auth_failed', () =>
      o.status().connection.state === 'auth_failed' ? o.status() : undefined,
    );
    assert.match(
      status.connection.message,
      /^auth failed — wrong password for OBS at ws:\/\/127\.0\.0\.1:\d+/,
    );
    assert.ok(log.lines.some((l) => l.level === 'warn' && /auth failed — wrong password/.test(l.msg)));
  });

  test('reconnects with backoff when OBS restarts, and shows the current text again', async () => {
    const o = output({ textSource: 'Restarted', languages: ['source'] });
    await o.connection.whenConnected(10_000);
    o.publish(transcript('r1', 'before the restart'));
    await until('text before restart', async () =>
      (await sourceText('Restarted')) === 'before the restart' ? true : undefined,
    );

    await probe.disconnect().catch(() => undefined);
    await obs.stop();
    const waiting = await until('waiting status', () =>
      o.status().connection.state === 'waiting' ? o.status() : undefined,
    );
    assert.match(waiting.connection.message, /^waiting for OBS at ws:\/\/127\.0\.0\.1:\d+/);
    o.publish(transcript('r2', 'while OBS was away'));

    obs = await startHeadlessObs({ home: obs.home, port: obs.port, password: obs.password });
    probe = new ObsWebSocketSocket();
    await probe.connect(obs.url, obs.password);
    await o.connection.whenConnected(10_000);
    await until('latest text after restart', async () =>
      (await sourceText('Restarted')) === 'while OBS was away' ? true : undefined,
    );
  });
});
