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
