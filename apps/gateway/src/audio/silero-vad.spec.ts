import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readWav, speechFixture } from '@olt/devkit';
import { SileroVadModel } from './silero-vad';
import { type Vad, VAD_FRAME_SAMPLES } from './vad.port';

async function probabilities(vad: Vad, samples: Float32Array): Promise<number[]> {
  const probs: number[] = [];
  for (let i = 0; i + VAD_FRAME_SAMPLES <= samples.length; i += VAD_FRAME_SAMPLES) {
    probs.push(await vad.process(samples.subarray(i, i + VAD_FRAME_SAMPLES)));
  }
  return probs;
}

describe('SileroVad on real speech', () => {
  const fixture = speechFixture('two-sentences.wav');
  const samples = readWav(fixture.path).samples;
  let model: SileroVadModel;
  before(async () => {
    model = await SileroVadModel.load();
  });
  after(() => model.release());

  /** Frames lying entirely inside [fromSample, toSample). */
  const framesWithin = (probs: number[], fromSample: number, toSample: number) =>
    probs.filter((_, i) => i * VAD_FRAME_SAMPLES >= fromSample && (i + 1) * VAD_FRAME_SAMPLES <= toSample);

  it('gives high speech probability inside the sentences and low probability in the pauses', async () => {
    const probs = await probabilities(model.createStream(), samples);
    const [first, second] = fixture.utterances;
    const margin = 0.1 * fixture.sampleRate; // the model reacts within ~100 ms of an edge
    for (const u of fixture.utterances) {
      const inside = framesWithin(probs, u.startSample + margin, u.endSample - margin);
      const mean = inside.reduce((a, b) => a + b, 0) / inside.length;
      const voiced = inside.filter((p) => p > 0.5).length / inside.length;
      assert.ok(mean > 0.7, `mean probability ${mean.toFixed(2)} inside "${u.text}"`);
      assert.ok(voiced > 0.8, `only ${(voiced * 100).toFixed(0)}% of frames above 0.5 inside "${u.text}"`);
    }
    const pauses = [
      ...framesWithin(probs, 0, first.startSample - margin),
      ...framesWithin(probs, first.endSample + 3 * margin, second.startSample - margin),
      ...framesWithin(probs, second.endSample + 3 * margin, samples.length),
    ];
    assert.ok(pauses.length > 20);
    const loudest = Math.max(...pauses);
    assert.ok(loudest < 0.3, `speech probability ${loudest.toFixed(2)} in a pause`);
  });

  it('keeps each stream’s state separate while streams share one session', async () => {
    const alone = await probabilities(model.createStream(), samples.subarray(0, 60 * VAD_FRAME_SAMPLES));
    const a = model.createStream();
    const b = model.createStream();
    const interleavedA: number[] = [];
    for (let i = 0; i < 60; i++) {
      const frame = samples.subarray(i * VAD_FRAME_SAMPLES, (i + 1) * VAD_FRAME_SAMPLES);
      // b hears other audio (the second sentence) at the same time, concurrently with a.
      const other = samples.subarray(65000 + i * VAD_FRAME_SAMPLES, 65000 + (i + 1) * VAD_FRAME_SAMPLES);
      const [pa] = await Promise.all([a.process(frame), b.process(other)]);
      interleavedA.push(pa);
    }
    assert.deepEqual(interleavedA, alone);
  });

  it('reset() makes a stream behave like a new one', async () => {
    const vad = model.createStream();
    const head = samples.subarray(
      fixture.utterances[0].startSample,
      fixture.utterances[0].startSample + 20 * VAD_FRAME_SAMPLES,
    );
    const fresh = await probabilities(vad, head);
    await probabilities(vad, samples.subarray(0, 30 * VAD_FRAME_SAMPLES));
    vad.reset();
    assert.deepEqual(await probabilities(vad, head), fresh);
  });

  it('rejects frames that are not 512 samples and overlapping calls on one stream', async () => {
    const vad = model.createStream();
    await assert.rejects(vad.process(new Float32Array(480)), /frames of 512 samples, got 480/);
    const frame = new Float32Array(VAD_FRAME_SAMPLES);
    const first = vad.process(frame);
    await assert.rejects(vad.process(frame), /before the previous frame finished/);
    assert.ok((await first) < 0.5);
  });
});

describe('SileroVad batched across streams', () => {
  const samples = readWav(speechFixture('two-sentences.wav').path).samples;
  const FRAMES = 60;
  // Each stream hears a different stretch of the recording, so rows of one batch differ.
  const offsets = [0, 9000, 30000, 65000, 71000, 40000];
  const streamAudio = (offset: number) => samples.subarray(offset, offset + FRAMES * VAD_FRAME_SAMPLES);
  let single: SileroVadModel;
  let batched: SileroVadModel;
  const batchSizes: number[] = [];
  before(async () => {
    single = await SileroVadModel.load({ batchMaxStreams: 1 });
    batched = await SileroVadModel.load({
      batchMaxStreams: 4,
      batchWaitMs: 2,
      onBatch: (rows) => batchSizes.push(rows),
    });
  });
  after(async () => {
    await single.release();
    await batched.release();
  });

  it('gives every stream the probabilities it gets when run alone, while frames share runs', async () => {
    const alone = [];
    for (const offset of offsets) alone.push(await probabilities(single.createStream(), streamAudio(offset)));
    const together = await Promise.all(
      offsets.map((offset) => probabilities(batched.createStream(), streamAudio(offset))),
    );
    for (let s = 0; s < offsets.length; s++) {
      for (let f = 0; f < FRAMES; f++) {
        const diff = Math.abs(together[s][f] - alone[s][f]);
        assert.ok(diff < 1e-5, `stream ${s} frame ${f}: batched ${together[s][f]} vs alone ${alone[s][f]}`);
      }
    }
    // 6 streams, at most 4 rows per run: runs of several rows happened, and none exceeded the cap.
    assert.ok(Math.max(...batchSizes) === 4, `batch sizes ${[...new Set(batchSizes)].join(', ')}`);
    assert.ok(batchSizes.length < (offsets.length * FRAMES) / 2, `${batchSizes.length} runs`);
  });

  it('reset() of a batched stream makes it behave like a new one', async () => {
    const head = streamAudio(9000).subarray(0, 20 * VAD_FRAME_SAMPLES);
    const vad = batched.createStream();
    const fresh = await probabilities(vad, head);
    await probabilities(vad, streamAudio(65000).subarray(0, 30 * VAD_FRAME_SAMPLES));
    vad.reset();
    assert.deepEqual(await probabilities(vad, head), fresh);
  });

  it('rejects overlapping calls on one batched stream', async () => {
    const vad = batched.createStream();
    const frame = new Float32Array(VAD_FRAME_SAMPLES);
    const first = vad.process(frame);
    await assert.rejects(vad.process(frame), /before the previous frame finished/);
    assert.ok((await first) < 0.5);
  });
});

describe('SileroVadModel.load', () => {
  it('fails with FAILED_PRECONDITION naming the path when the model file is missing', async () => {
    await assert.rejects(
      SileroVadModel.load({ modelPath: '/nonexistent/vad.onnx' }),
      (e: Error & { code?: string }) => {
        return e.code === 'FAILED_PRECONDITION' && e.message.includes('/nonexistent/vad.onnx');
      },
    );
  });
});
