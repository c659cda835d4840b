import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { StreamResponse__Output } from '../proto';
import { ObsSubtitleOutput } from './obs-subtitle-output';
import { obsOutputSettings, type ObsOutputSettings } from './obs-output-settings';
import type { ObsSocketPort } from './obs-socket.port';
import { readingTimeMs } from './reading-pace';

const pace = { charsPerSecond: 17, minDisplayMs: 2000, maxDisplayMs: 7000 };

/** An obs-websocket stand-in that records calls with their time (this is not OBS; the real one is in devkit). */
class RecordingSocket implements ObsSocketPort {
  static calls: Array<{ at: number; type: string; data: Record<string, unknown> }> = [];
  async connect() {
    return { obsWebSocketVersion: '5.1.0' };
  }
  async disconnect() {}
  async call(type: string, data: Record<string, unknown> = {}) {
    RecordingSocket.calls.push({ at: Date.now(), type, data });
    return {};
  }
  onClose() {}
}

const quietLog = { info: () => undefined, warn: () => undefined };
const final = (segmentId: string, text: string) =>
  ({ transcript: { segmentId, text, isFinal: true, revision: 2, language: 'en' } }) as StreamResponse__Output;
const interim = (segmentId: string, text: string) =>
  ({
    transcript: { segmentId, text, isFinal: false, revision: 1, language: 'en' },
  }) as StreamResponse__Output;

async function output(overrides: Partial<ObsOutputSettings>) {
  RecordingSocket.calls = [];
  const o = new ObsSubtitleOutput(obsOutputSettings(overrides), {
    log: quietLog,
    socketFactory: () => new RecordingSocket(),
  }).start();
  await o.connection.whenConnected(2000);
  return o;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('reading pace', () => {
  test('display time grows with length, within 2..7 s', () => {
    assert.equal(readingTimeMs('OK', pace), 2000);
    assert.equal(readingTimeMs('x'.repeat(68), pace), 4000);
    assert.equal(readingTimeMs('x'.repeat(1000), pace), 7000);
  });

  test('captions are spaced by the reading time of the page before, and compressed when behind', async () => {
    const o = await output({
      textSource: '',
      captions: true,
      captionMinIntervalMs: 0,
      readingCharsPerSecond: 100,
      minDisplayMs: 100,
      maxDisplayMs: 1000,
    });
    o.sendCaption('a'.repeat(60)); // 600 ms at 100 chars/s
    o.sendCaption('short');
    await sleep(1200);
    const sent = RecordingSocket.calls.filter((c) => c.type === 'SendStreamCaption');
    assert.equal(sent.length, 2);
    const gap = sent[1].at - sent[0].at;
    // Two pages waited, so the first got only the minimum (100 ms) rather than its 600 ms reading time.
    assert.ok(gap >= 90 && gap < 500, `gap ${gap} ms`);
    o.sendCaption('b'.repeat(60));
    await sleep(50);
    o.sendCaption('next');
    await sleep(1200);
    const later = RecordingSocket.calls.filter((c) => c.type === 'SendStreamCaption').slice(2);
    const gap2 = later[1].at - later[0].at;
    assert.ok(gap2 >= 550, `alone in the queue, a 60-character page stays up its reading time (${gap2} ms)`);
    await o.stop();
  });

  test('an interim does not replace a final before its reading time; the next final does', async () => {
    const o = await output({ interims: true, minDisplayMs: 400, maxDisplayMs: 400, clearAfterMs: 0 });
    o.publish(final('s1', 'the final line'));
    o.publish(interim('s2', 'an interim'));
    await sleep(50);
    const texts = () =>
      RecordingSocket.calls
        .filter((c) => c.type === 'SetInputSettings')
        .map((c) => (c.data.inputSettings as { text: string }).text);
    assert.deepEqual(texts(), ['the final line']);
    assert.equal(o.status().interimsHeldBack, 1);
    o.publish(final('s2', 'the second final'));
    await sleep(50);
    assert.deepEqual(texts(), ['the final line', 'the second final']);
    await sleep(450);
    o.publish(interim('s3', 'later interim'));
    await sleep(50);
    assert.equal(texts().at(-1), 'later interim', 'after the reading time interims show again');
    await o.stop();
  });

  test('the text source empties after clear_after_ms without new text, and stop() keeps the last text', async () => {
    const o = await output({ clearAfterMs: 200 });
    o.publish(final('s1', 'hello'));
    await sleep(400);
    const texts = RecordingSocket.calls
      .filter((c) => c.type === 'SetInputSettings')
      .map((c) => (c.data.inputSettings as { text: string }).text);
    assert.deepEqual(texts, ['hello', '']);
    o.publish(final('s2', 'bye'));
    await o.stop();
    await sleep(300);
    const last = RecordingSocket.calls.filter((c) => c.type === 'SetInputSettings').at(-1);
    assert.equal((last?.data.inputSettings as { text: string }).text, 'bye');
  });
});
