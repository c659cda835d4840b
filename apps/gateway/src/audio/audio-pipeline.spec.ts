import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { interleave, readWav, resampleLinear, speechFixture, toPcm } from '@olt/devkit';
import { AppError } from '@olt/shared';
import { AudioPipeline } from './audio-pipeline';
import { type SegmentClosedEvent, type SegmentEvent } from './segment-policy';
import { SileroVadModel } from './silero-vad';

const RATE = 16000;

/** Speech regions of a 16 kHz signal from its energy alone: 10 ms frames above -40 dBFS, gaps < 300 ms bridged. */
function speechRegionsByEnergy(samples: Float32Array): { start: number; end: number }[] {
  const hop = RATE / 100;
  const regions: { start: number; end: number }[] = [];
  for (let i = 0; i + hop <= samples.length; i += hop) {
    let sum = 0;
    for (let j = i; j < i + hop; j++) sum += samples[j] * samples[j];
    if (10 * Math.log10(sum / hop + 1e-20) < -40) continue;
    const last = regions[regions.length - 1];
    if (last && i - last.end < 0.3 * RATE) last.end = i + hop;
    else regions.push({ start: i, end: i + hop });
  }
  return regions;
}

async function pushInChunks(
  pipeline: AudioPipeline,
  data: Buffer,
  chunkBytes: number,
): Promise<SegmentEvent[]> {
  const events: SegmentEvent[] = [];
  for (let i = 0; i < data.length; i += chunkBytes)
    events.push(...(await pipeline.push(data.subarray(i, i + chunkBytes))));
  return events;
}

const segmentsOf = (events: SegmentEvent[]) =>
  events.filter((e): e is SegmentClosedEvent => e.type === 'segment');

describe('AudioPipeline on two spoken sentences', () => {
  const fixture = speechFixture('two-sentences.wav');
  const wav = readWav(fixture.path);
  const regions = speechRegionsByEnergy(wav.samples);
  let model: SileroVadModel;
  before(async () => {
    model = await SileroVadModel.load();
  });
  after(() => model.release());

  it('finds two speech regions by energy in the fixture (test precondition)', () => {
    assert.equal(regions.length, 2);
  });

  function assertTwoSentenceSegments(events: SegmentEvent[]) {
    assert.deepEqual(
      events.map((e) => `${e.type}:${e.segmentIndex}`),
      ['speech_start:0', 'segment:0', 'speech_start:1', 'segment:1'],
    );
    const segments = segmentsOf(events);
    const tolerance = 0.3 * RATE;
    // The audio ends 250 ms after the second sentence, before silenceMs has passed: end() closes it.
    assert.deepEqual(
      segments.map((s) => s.reason),
      ['silence', 'end'],
    );
    segments.forEach((segment, i) => {
      assert.equal(segment.audio.length, segment.endSample - segment.startSample);
      const edge = regions[i];
      assert.ok(
        Math.abs(segment.startSample - edge.start) <= tolerance &&
          Math.abs(segment.endSample - edge.end) <= tolerance,
        `segment ${i} [${segment.startSample}, ${segment.endSample}) vs speech [${edge.start}, ${edge.end})`,
      );
    });
  }

  it('cuts 16 kHz mono LINEAR16 sent in 20 ms chunks into one segment per sentence', async () => {
    const pipeline = new AudioPipeline({
      format: { encoding: 'LINEAR16', sampleRateHz: 16000, channels: 1 },
      vad: model.createStream(),
    });
    const events = await pushInChunks(pipeline, wav.data, 640);
    events.push(...(await pipeline.end()));
    assertTwoSentenceSegments(events);
    // The segment carries the very samples that were sent.
    const first = segmentsOf(events)[0];
    assert.deepEqual(
      first.audio.subarray(0, 100),
      wav.samples.subarray(first.startSample, first.startSample + 100),
    );
    assert.equal(pipeline.receivedMs, (wav.samples.length * 1000) / RATE);
    assert.equal(pipeline.processedMs, pipeline.receivedMs);
  });

  it('cuts the same audio sent as 48 kHz stereo FLOAT32 in 10 ms chunks the same way', async () => {
    const left = resampleLinear(wav.samples, RATE, 48000);
    const right = left.map((v) => v * 0.5);
    const data = toPcm(interleave([left, right]), 'FLOAT32');
    const pipeline = new AudioPipeline({
      format: { encoding: 'FLOAT32', sampleRateHz: 48000, channels: 2 },
      vad: model.createStream(),
    });
    const events = await pushInChunks(pipeline, data, 480 * 2 * 4);
    events.push(...(await pipeline.end()));
    assertTwoSentenceSegments(events);
    assert.ok(Math.abs(pipeline.processedMs - pipeline.receivedMs) < 0.1);

    // The whole file in one chunk gives the very same events.
    const whole = new AudioPipeline({
      format: { encoding: 'FLOAT32', sampleRateHz: 48000, channels: 2 },
      vad: model.createStream(),
    });
    const wholeEvents = await whole.push(data);
    wholeEvents.push(...(await whole.end()));
    assert.deepEqual(wholeEvents, events);
  });

  it('gives the same events when pushes are not awaited one by one (calls are queued in order)', async () => {
    const format = { encoding: 'LINEAR16', sampleRateHz: 16000, channels: 1 };
    const sequential = new AudioPipeline({ format, vad: model.createStream() });
    const expected = await pushInChunks(sequential, wav.data, 3200);
    const concurrent = new AudioPipeline({ format, vad: model.createStream() });
    const pending: Promise<SegmentEvent[]>[] = [];
    for (let i = 0; i < wav.data.length; i += 3200)
      pending.push(concurrent.push(wav.data.subarray(i, i + 3200)));
    assert.deepEqual((await Promise.all(pending)).flat(), expected);
  });

  it('closes the open segment on flush mid-sentence with reason flush', async () => {
    const pipeline = new AudioPipeline({
      format: { encoding: 'LINEAR16', sampleRateHz: 16000, channels: 1 },
      vad: model.createStream(),
    });
    const midSentence = regions[0].start + RATE; // one second into the first sentence
    const events = await pipeline.push(wav.data.subarray(0, midSentence * 2));
    assert.equal(pipeline.inSpeech, true);
    assert.ok(pipeline.getOpenSegment()!.audio.length > 0.5 * RATE);
    events.push(...(await pipeline.flush()));
    const [segment] = segmentsOf(events);
    assert.equal(segment.reason, 'flush');
    assert.ok(Math.abs(segment.endSample - midSentence) < 512);
    assert.equal(pipeline.inSpeech, false);
  });
});

describe('AudioPipeline input checks', () => {
  let model: SileroVadModel;
  before(async () => {
    model = await SileroVadModel.load();
  });
  after(() => model.release());

  it('rejects a bad format when the stream is set up', () => {
    assert.throws(
      () =>
        new AudioPipeline({
          format: { encoding: 'LINEAR16', sampleRateHz: 0, channels: 1 },
          vad: model.createStream(),
        }),
      (e: unknown) => e instanceof AppError && e.code === 'INVALID_ARGUMENT',
    );
  });

  it('rejects a chunk with an odd byte count and keeps working for the next ones', async () => {
    const pipeline = new AudioPipeline({
      format: { encoding: 'LINEAR16', sampleRateHz: 44100, channels: 1 },
      vad: model.createStream(),
    });
    await assert.rejects(pipeline.push(Buffer.alloc(1001)), /1001 bytes/);
    assert.equal(pipeline.receivedMs, 0);
    await pipeline.push(Buffer.alloc(44100 * 2));
    assert.equal(pipeline.receivedMs, 1000);
    assert.ok(pipeline.processedMs > 950 && pipeline.processedMs <= 1000);
  });

  it('pads the last partial frame at end() without counting the padding as audio', async () => {
    const pipeline = new AudioPipeline({
      format: { encoding: 'LINEAR16', sampleRateHz: 16000, channels: 1 },
      vad: model.createStream(),
    });
    await pipeline.push(Buffer.alloc(1000 * 2));
    assert.equal(pipeline.processedMs, 32);
    assert.deepEqual(await pipeline.end(), []);
    assert.equal(pipeline.processedMs, 62.5);
    await assert.rejects(pipeline.push(Buffer.alloc(2)), /after the end of the stream/);
  });
});
