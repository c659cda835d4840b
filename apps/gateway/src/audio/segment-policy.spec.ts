import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '@olt/devkit/dist/testing';
import { AppError } from '@olt/shared';
import {
  resolveSegmentPolicySettings,
  type SegmentClosedEvent,
  type SegmentEvent,
  SegmentPolicy,
  type SegmentPolicySettings,
} from './segment-policy';

const FRAME = 512;
const MS = 16; // samples per ms at 16 kHz

/** The test signal: every sample's value encodes its position, so audio slices can be checked exactly. */
const signalAt = (i: number) => Math.fround(((i % 9973) + 1) / 10000);

function frameAt(start: number, length: number): Float32Array {
  const f = new Float32Array(length);
  for (let i = 0; i < length; i++) f[i] = signalAt(start + i);
  return f;
}

type Step = { frame: number; prob: number } | 'flush';
interface Emitted {
  event: SegmentEvent;
  /** Samples pushed when the event came out. */
  at: number;
}

function run(policy: SegmentPolicy, steps: Step[], finish: 'end' | 'none' = 'end'): Emitted[] {
  const out: Emitted[] = [];
  let pos = 0;
  for (const step of steps) {
    if (step === 'flush') {
      for (const event of policy.flush()) out.push({ event, at: pos });
      continue;
    }
    const events = policy.push(frameAt(pos, step.frame), step.prob);
    pos += step.frame;
    for (const event of events) out.push({ event, at: pos });
  }
  if (finish === 'end') for (const event of policy.end()) out.push({ event, at: pos });
  return out;
}

const frames = (n: number, prob: number): Step[] => Array.from({ length: n }, () => ({ frame: FRAME, prob }));
const segments = (emitted: Emitted[]) =>
  emitted.map((e) => e.event).filter((e): e is SegmentClosedEvent => e.type === 'segment');

/** Checks the contract every caller relies on; returns the segments. */
function assertWellFormed(
  emitted: Emitted[],
  settings: SegmentPolicySettings,
  ended: boolean,
): SegmentClosedEvent[] {
  let open: { index: number; start: number } | null = null;
  let nextIndex = 0;
  let lastEnd = 0;
  for (const { event, at } of emitted) {
    if (event.type === 'speech_start') {
      assert.ok(open === null, `speech_start ${event.segmentIndex} while segment ${open?.index} is open`);
      assert.equal(event.segmentIndex, nextIndex, 'segment indexes count up from 0 without gaps');
      assert.ok(event.startSample >= lastEnd, `segment ${event.segmentIndex} starts inside the previous one`);
      assert.ok(event.startSample <= at);
      open = { index: event.segmentIndex, start: event.startSample };
      nextIndex++;
    } else {
      assert.ok(open, `segment ${event.segmentIndex} without a speech_start`);
      assert.equal(event.segmentIndex, open.index);
      assert.equal(event.startSample, open.start, 'segment starts where its speech_start said');
      assert.ok(event.endSample > event.startSample, 'segments are not empty');
      assert.ok(event.endSample <= at, 'segments end no later than the audio pushed');
      assert.ok(
        event.endSample - event.startSample <= (settings.maxSegmentMs * settings.sampleRate) / 1000,
        `segment ${event.segmentIndex} is longer than maxSegmentMs`,
      );
      assert.equal(event.audio.length, event.endSample - event.startSample);
      for (let i = 0; i < event.audio.length; i += 97)
        assert.equal(event.audio[i], signalAt(event.startSample + i));
      assert.equal(event.audio[event.audio.length - 1], signalAt(event.endSample - 1));
      lastEnd = event.endSample;
      open = null;
    }
  }
  if (ended) assert.equal(open, null, 'end() closes the open segment');
  return segments(emitted);
}

/** Random probability sequences: runs of speech, silence, in-between values and clicks; random flushes. */
function randomSteps(random: () => number, count: number): Step[] {
  const steps: Step[] = [];
  while (steps.length < count) {
    const kind = random();
    const length = 1 + Math.floor(random() * random() * 120);
    for (let i = 0; i < length; i++) {
      const prob =
        kind < 0.35
          ? 0.6 + 0.4 * random()
          : kind < 0.7
            ? 0.3 * random()
            : kind < 0.85
              ? 0.3 + 0.3 * random()
              : random();
      // Mostly VAD-sized frames, sometimes the short last frame of a stream or odd sizes.
      const frame = random() < 0.9 ? FRAME : 1 + Math.floor(random() * 1000);
      steps.push({ frame, prob });
    }
    if (random() < 0.05) steps.push('flush');
  }
  return steps;
}

function randomSettings(random: () => number): Partial<SegmentPolicySettings> {
  const silenceMs = 64 + Math.floor(random() * 900);
  const preRollMs = Math.floor(random() * 500);
  const minSpeechMs = Math.floor(random() * 400);
  return {
    threshold: 0.4 + random() * 0.3,
    silenceMs,
    preRollMs,
    minSpeechMs,
    tailMs: Math.floor(random() * Math.min(250, silenceMs)),
    maxSegmentMs: Math.max(1000, preRollMs + minSpeechMs + 100) + Math.floor(random() * 3000),
  };
}

describe('SegmentPolicy properties on random probability sequences', () => {
  for (let seed = 1; seed <= 40; seed++) {
    it(`emits well-formed, non-overlapping segments with exact audio (seed ${seed})`, () => {
      const random = seededRandom(seed);
      const policy = new SegmentPolicy(randomSettings(random));
      const finish = random() < 0.8 ? 'end' : 'none';
      const emitted = run(policy, randomSteps(random, 1500), finish);
      const segs = assertWellFormed(emitted, policy.currentSettings, finish === 'end');
      // Segments cut at max length while speech goes on tile the speech: the next one starts at the cut.
      for (let i = 0; i < emitted.length - 1; i++) {
        const a = emitted[i].event;
        const b = emitted[i + 1].event;
        if (
          a.type === 'segment' &&
          a.reason === 'max_length' &&
          b.type === 'speech_start' &&
          emitted[i + 1].at === emitted[i].at
        ) {
          assert.equal(b.startSample, a.endSample, 'no audio lost or repeated at a max_length cut');
        }
      }
      if (seed === 1) assert.ok(segs.length > 5, 'the generator produces speech');
    });
  }

  for (let seed = 100; seed < 120; seed++) {
    it(`finds exactly the speech runs of a clean sequence, with pre-roll and tail (seed ${seed})`, () => {
      const random = seededRandom(seed);
      const s = resolveSegmentPolicySettings(randomSettings(random));
      const silenceFrames = Math.ceil((s.silenceMs * MS) / FRAME);
      const minSpeechFrames = Math.ceil((s.minSpeechMs * MS) / FRAME);
      const steps: Step[] = [];
      const expected: { start: number; end: number; cuts: number[] }[] = [];
      let prevEnd = 0;
      for (let r = 0; r < 8; r++) {
        steps.push(...frames(silenceFrames + Math.floor(random() * 40), 0.02));
        const speechFrames = Math.max(1, minSpeechFrames) + Math.floor(random() * random() * 250);
        const a = steps.length * FRAME;
        steps.push(...frames(speechFrames, 0.97));
        const b = steps.length * FRAME;
        // Independent prediction: pre-roll clamped to the previous segment; cuts every maxSegment.
        const max = s.maxSegmentMs * MS;
        let start = Math.max(0, a - s.preRollMs * MS, prevEnd);
        const cuts: number[] = [];
        while (b > start + max) {
          start += max;
          cuts.push(start);
        }
        const end = Math.min(b + s.tailMs * MS, start + max);
        expected.push({ start: Math.max(0, a - s.preRollMs * MS, prevEnd), end, cuts });
        prevEnd = end;
      }
      steps.push(...frames(silenceFrames + 1, 0.02));
      const emitted = run(new SegmentPolicy(s), steps);
      assertWellFormed(emitted, s, true);
      // Join the pieces of one run: a max_length segment followed, in the same push, by a speech_start.
      const found: { start: number; end: number; cuts: number[] }[] = [];
      let cutAt = -1;
      for (const { event, at } of emitted) {
        if (event.type === 'speech_start') {
          if (at === cutAt) found[found.length - 1].cuts.push(event.startSample);
          else found.push({ start: event.startSample, end: -1, cuts: [] });
        } else {
          found[found.length - 1].end = event.endSample;
          cutAt = event.reason === 'max_length' ? at : -1;
        }
      }
      assert.deepEqual(found, expected);
    });
  }
});

describe('SegmentPolicy behaviour', () => {
  it('drops a burst shorter than minSpeechMs without any event, even on flush and end', () => {
    const policy = new SegmentPolicy({ minSpeechMs: 250 });
    const emitted = run(policy, [
      ...frames(10, 0.05),
      ...frames(5, 0.95),
      'flush',
      ...frames(3, 0.9),
      ...frames(40, 0.05),
    ]);
    assert.deepEqual(emitted, []);
  });

  it('announces speech_start only once the speech has lasted minSpeechMs, dated back to the pre-roll', () => {
    const policy = new SegmentPolicy({ minSpeechMs: 250, preRollMs: 200 });
    const emitted = run(policy, [...frames(20, 0.05), ...frames(30, 0.95), ...frames(30, 0.05)]);
    const start = emitted[0];
    assert.equal(start.event.type, 'speech_start');
    assert.equal(start.event.startSample, 20 * FRAME - 200 * MS);
    assert.equal(start.at, 28 * FRAME, 'after 8 speech frames = 256 ms');
  });

  it('starts at sample 0 when speech begins with the stream', () => {
    const segs = segments(run(new SegmentPolicy(), [...frames(20, 0.9), ...frames(20, 0.01)]));
    assert.equal(segs.length, 1);
    assert.equal(segs[0].startSample, 0);
    assert.equal(segs[0].endSample, 20 * FRAME + 150 * MS);
    assert.equal(segs[0].reason, 'silence');
  });

  it('ends a segment silenceMs after the last speech frame, keeping only tailMs of the silence', () => {
    const policy = new SegmentPolicy({ silenceMs: 500, tailMs: 100 });
    const emitted = run(policy, [...frames(5, 0), ...frames(30, 0.9), ...frames(100, 0)]);
    const seg = segments(emitted)[0];
    assert.equal(seg.endSample, 35 * FRAME + 100 * MS);
    const closedAt = emitted.find((e) => e.event.type === 'segment')!.at;
    assert.equal(closedAt, 35 * FRAME + Math.ceil((500 * MS) / FRAME) * FRAME);
  });

  it('keeps speech going through frames between negThreshold and threshold (hysteresis)', () => {
    const policy = new SegmentPolicy({ threshold: 0.5, silenceMs: 300 });
    const segs = segments(
      run(policy, [...frames(10, 0.9), ...frames(30, 0.4), ...frames(5, 0.9), ...frames(20, 0.1)]),
    );
    assert.equal(segs.length, 1, 'probabilities of 0.4 ≥ negThreshold 0.35 do not end the speech');
    const lowOnly = segments(run(new SegmentPolicy({ threshold: 0.5 }), frames(50, 0.45)));
    assert.equal(lowOnly.length, 0, '0.45 < threshold never starts speech');
  });

  it('cuts long speech at maxSegmentMs into contiguous segments, each with its own speech_start', () => {
    const policy = new SegmentPolicy({ maxSegmentMs: 2000, preRollMs: 0 });
    const emitted = run(policy, [...frames(200, 0.95), ...frames(30, 0.01)]);
    const starts = emitted.filter((e) => e.event.type === 'speech_start').map((e) => e.event.startSample);
    const segs = segments(emitted);
    assert.deepEqual(
      segs.map((s) => [s.startSample, s.endSample, s.reason]),
      [
        [0, 32000, 'max_length'],
        [32000, 64000, 'max_length'],
        [64000, 96000, 'max_length'],
        [96000, 200 * FRAME + 150 * MS, 'silence'],
      ],
    );
    assert.deepEqual(starts, [0, 32000, 64000, 96000]);
  });

  it('closes the open segment on flush and starts a fresh one when speech goes on', () => {
    const policy = new SegmentPolicy({ minSpeechMs: 0 });
    const emitted = run(policy, [
      ...frames(3, 0.01),
      ...frames(20, 0.9),
      'flush',
      ...frames(20, 0.9),
      ...frames(30, 0.01),
    ]);
    const segs = segments(emitted);
    assert.equal(segs.length, 2);
    assert.equal(segs[0].reason, 'flush');
    assert.equal(segs[0].endSample, 23 * FRAME);
    assert.equal(segs[1].startSample, 23 * FRAME, 'the pre-roll of the next segment stops at the flush');
  });

  it('flush in the trailing silence ends the segment at the tail, not at the flush', () => {
    const policy = new SegmentPolicy({ tailMs: 100, silenceMs: 800 });
    const emitted = run(policy, [...frames(20, 0.9), ...frames(10, 0.01), 'flush'], 'none');
    assert.equal(segments(emitted)[0].endSample, 20 * FRAME + 100 * MS);
    assert.deepEqual(policy.flush(), [], 'a second flush has nothing to close');
  });

  it('end() closes with reason end and refuses audio afterwards', () => {
    const policy = new SegmentPolicy();
    const segs = segments(run(policy, frames(30, 0.9)));
    assert.deepEqual(
      segs.map((s) => [s.endSample, s.reason]),
      [[30 * FRAME, 'end']],
    );
    assert.throws(() => policy.push(new Float32Array(FRAME), 0.9), /after end\(\)/);
  });

  it('never lets the pre-roll reach into the previous segment', () => {
    const policy = new SegmentPolicy({ preRollMs: 400, silenceMs: 200, tailMs: 100, minSpeechMs: 0 });
    const segs = segments(
      run(policy, [...frames(20, 0.9), ...frames(8, 0.01), ...frames(20, 0.9), ...frames(20, 0.01)]),
    );
    assert.equal(segs.length, 2);
    assert.equal(segs[1].startSample, segs[0].endSample);
  });

  it('accepts frames of any length (the last frame of a stream is short)', () => {
    const policy = new SegmentPolicy({ minSpeechMs: 0 });
    const steps: Step[] = [
      ...Array.from({ length: 100 }, () => ({ frame: 100, prob: 0.9 })),
      { frame: 37, prob: 0.9 },
    ];
    const segs = segments(run(policy, steps));
    assert.deepEqual([segs[0].startSample, segs[0].endSample], [0, 10037]);
  });

  it('exposes the growing open segment only between speech_start and its segment', () => {
    const policy = new SegmentPolicy({ minSpeechMs: 250 });
    run(policy, frames(4, 0.9), 'none');
    assert.equal(policy.getOpenSegment(), null, 'not yet announced');
    run(policy, frames(10, 0.9), 'none');
    const open = policy.getOpenSegment()!;
    assert.equal(open.segmentIndex, 0);
    assert.equal(open.audio.length, 14 * FRAME - open.startSample);
    assert.equal(open.audio[0], signalAt(open.startSample));
    const closed = segments(policy.flush().map((event) => ({ event, at: 0 })))[0];
    assert.deepEqual(closed.audio.subarray(0, open.audio.length), open.audio);
    assert.equal(policy.getOpenSegment(), null);
  });

  it('keeps memory bounded through an hour of silence and through non-stop speech', () => {
    const silent = new SegmentPolicy();
    const frame = new Float32Array(FRAME);
    for (let i = 0; i < (3600 * 16000) / FRAME; i++) silent.push(frame, 0.01);
    assert.ok(silent.bufferCapacity <= 32768, `${silent.bufferCapacity} samples held for silence`);
    const talking = new SegmentPolicy({ maxSegmentMs: 15000 });
    let cuts = 0;
    for (let i = 0; i < (600 * 16000) / FRAME; i++) cuts += talking.push(frame, 0.99).length;
    assert.ok(cuts > 70);
    assert.ok(
      talking.bufferCapacity <= 2 * 15000 * 16 + 2 * FRAME,
      `${talking.bufferCapacity} samples held for speech`,
    );
  });

  it('applies new settings at runtime: a longer silenceMs stops a pause from splitting speech', () => {
    const steps = [...frames(20, 0.9), ...frames(25, 0.01), ...frames(20, 0.9), ...frames(80, 0.01)];
    assert.equal(segments(run(new SegmentPolicy({ silenceMs: 500 }), steps)).length, 2);
    const policy = new SegmentPolicy({ silenceMs: 500 });
    policy.updateSettings({ silenceMs: 1000 });
    assert.equal(policy.currentSettings.silenceMs, 1000);
    assert.equal(segments(run(policy, steps)).length, 1);
  });

  it('rejects invalid settings with a message naming the setting and the allowed range', () => {
    const policy = new SegmentPolicy();
    const invalid = (pattern: RegExp) => (e: unknown) =>
      e instanceof AppError && e.code === 'INVALID_ARGUMENT' && pattern.test(e.message);
    assert.throws(() => policy.updateSettings({ threshold: 1.2 }), invalid(/threshold is 1.2/));
    assert.throws(
      () => policy.updateSettings({ threshold: 0.5, negThreshold: 0.6 }),
      invalid(/negThreshold is 0.6/),
    );
    assert.throws(
      () => policy.updateSettings({ maxSegmentMs: 500 }),
      invalid(/maxSegmentMs is 500; it must be from 1000/),
    );
    assert.throws(() => policy.updateSettings({ silenceMs: 10 }), invalid(/silenceMs is 10/));
    assert.throws(() => policy.updateSettings({ sampleRate: 8000 }), invalid(/sampleRate cannot change/));
    assert.equal(policy.currentSettings.threshold, 0.5, 'a rejected update leaves the settings as they were');
  });

  it('derives negThreshold from threshold unless it is given', () => {
    assert.ok(Math.abs(resolveSegmentPolicySettings({ threshold: 0.6 }).negThreshold - 0.45) < 1e-9);
    assert.equal(resolveSegmentPolicySettings({ threshold: 0.6, negThreshold: 0.2 }).negThreshold, 0.2);
    assert.equal(resolveSegmentPolicySettings({ threshold: 0.1 }).negThreshold, 0.01);
  });
});

describe('SegmentPolicy speech ratio (for the ASR hallucination guard)', () => {
  function closeOne(probs: number[]): SegmentClosedEvent {
    const policy = new SegmentPolicy({ silenceMs: 500, preRollMs: 200, minSpeechMs: 250, tailMs: 150 });
    const events: SegmentEvent[] = [];
    probs.forEach((p, i) => events.push(...policy.push(frameAt(i * FRAME, FRAME), p)));
    events.push(...policy.end());
    const segments = events.filter((e): e is SegmentClosedEvent => e.type === 'segment');
    assert.equal(segments.length, 1);
    return segments[0];
  }

  it('is the share of the segment whose frames were above the threshold', () => {
    const seg = closeOne([...Array(20).fill(0.1), ...Array(30).fill(0.9), ...Array(30).fill(0.1)]);
    const expected = (30 * FRAME) / (seg.endSample - seg.startSample);
    assert.ok(Math.abs(seg.speechRatio - expected) < 1e-9, `${seg.speechRatio} vs ${expected}`);
    assert.ok(seg.speechRatio > 0.6 && seg.speechRatio < 1);
  });

  it('is lower when the speech is patchy (frames between the two thresholds keep the segment open)', () => {
    const patchy = Array.from({ length: 30 }, (_, i) => (i % 2 ? 0.9 : 0.4));
    const seg = closeOne([...Array(20).fill(0.1), ...patchy, ...Array(30).fill(0.1)]);
    const solid = closeOne([...Array(20).fill(0.1), ...Array(30).fill(0.9), ...Array(30).fill(0.1)]);
    assert.ok(seg.speechRatio < solid.speechRatio * 0.7, `${seg.speechRatio} vs ${solid.speechRatio}`);
  });
});
