import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AsrReply } from '@olt/shared';
import { InterimBudget } from './interim-budget';
import {
  InterimDecoder,
  type InterimJob,
  type InterimResult,
  type InterimSkipReason,
} from './interim-decoder';
import { splitWords } from './local-agreement';
import { seededRandom, syntheticSegment } from './synthetic-decodes.testing';

const SAMPLES_PER_MS = 16;

function reply(text: string, ok = true): AsrReply {
  return {
    kind: 'asr',
    requestId: 'r',
    sessionId: 's',
    segmentId: 'seg',
    revision: 0,
    isFinal: false,
    ok,
    text,
    language: 'en',
    languageProbability: 1,
    confidence: 0.9,
    model: 'fake',
    workerId: 'w',
    startMs: 0,
    endMs: 0,
    queueMs: 0,
    inferMs: 0,
  };
}

/**
 * A stream's interim side with a fake of the AsrTranscriber port whose replies the test releases, and an
 * open segment whose audio the test grows.
 */
function harness(opts: { intervalMs?: number; budget?: InterimBudget; maxInFlight?: number } = {}) {
  let audioSamples = 0;
  let open = false;
  let finalsPending = false;
  let lagging = false;
  const calls: Array<{ job: InterimJob; resolve: (r: AsrReply) => void; reject: (e: Error) => void }> = [];
  const emitted: InterimResult[] = [];
  const skipped: InterimSkipReason[] = [];
  const decodedEnds: number[] = [];
  let maxConcurrent = 0;
  let inFlight = 0;
  const decoder = new InterimDecoder({
    decode: (job) =>
      new Promise<AsrReply>((resolve, reject) => {
        inFlight++;
        maxConcurrent = Math.max(maxConcurrent, inFlight);
        const done = () => inFlight--;
        calls.push({
          job,
          resolve: (r) => (done(), resolve(r)),
          reject: (e) => (done(), reject(e)),
        });
      }),
    budget: opts.budget ?? new InterimBudget(),
    settings: () => ({ intervalMs: opts.intervalMs ?? 1000, maxInterimInFlight: opts.maxInFlight ?? 100 }),
    finalsPending: () => finalsPending,
    lagging: () => lagging,
    processedSamples: () => (open ? audioSamples : 0),
    openSegment: () =>
      open ? { segmentIndex: 0, startSample: 0, audio: new Float32Array(audioSamples) } : null,
    sessionMs: (sample) => Math.round(sample / SAMPLES_PER_MS),
    emit: (r) => emitted.push(r),
    decoded: (_r, endMs) => decodedEnds.push(endMs),
    skipped: (reason) => skipped.push(reason),
    failed: () => undefined,
  });
  return {
    decoder,
    calls,
    emitted,
    skipped,
    decodedEnds,
    get maxConcurrent() {
      return maxConcurrent;
    },
    openSegment() {
      open = true;
      audioSamples = 0;
      decoder.open('seg', 0);
    },
    grow(ms: number) {
      audioSamples += ms * SAMPLES_PER_MS;
      decoder.poll();
    },
    setFinalsPending(v: boolean) {
      finalsPending = v;
    },
    setLagging(v: boolean) {
      lagging = v;
    },
    close() {
      open = false;
      return decoder.close('seg');
    },
  };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('InterimDecoder', () => {
  it('decodes each time the open segment has grown by interval_ms, and sends only agreed words with increasing revisions', async () => {
    const h = harness();
    h.openSegment();
    h.grow(900);
    assert.equal(h.calls.length, 0, 'less than one interval of audio: no decode yet');
    h.grow(100);
    assert.equal(h.calls.length, 1);
    assert.deepEqual(
      { rev: h.calls[0].job.revision, start: h.calls[0].job.startMs, end: h.calls[0].job.endMs },
      { rev: 1, start: 0, end: 1000 },
    );
    h.calls[0].resolve(reply('hello'));
    await settle();
    assert.equal(h.emitted.length, 0, 'one decode agrees with nothing yet');
    h.grow(1000);
    h.calls[1].resolve(reply('hello world'));
    await settle();
    assert.deepEqual(
      h.emitted.map((e) => [e.revision, e.text, e.stability, e.endMs]),
      [[2, 'hello', 0.5, 2000]],
    );
    h.grow(1000);
    h.calls[2].resolve(reply('hello world again'));
    await settle();
    assert.deepEqual(
      h.emitted.map((e) => [e.revision, e.text]),
      [
        [2, 'hello'],
        [3, 'hello world'],
      ],
    );
    assert.equal(h.close(), 4, 'the final takes the revision after the last decode');
  });

  it('keeps one decode in flight per stream: while it runs the audio grows, and the next decode covers all of it', async () => {
    const h = harness();
    h.openSegment();
    h.grow(1000);
    h.grow(1000);
    h.grow(1000);
    assert.equal(h.calls.length, 1);
    assert.deepEqual(h.skipped, ['in_flight'], 'a run of skips is reported once');
    h.calls[0].resolve(reply('a'));
    await settle();
    assert.equal(h.calls.length, 2, 'the reply starts the next decode at once');
    assert.equal(h.calls[1].job.endMs, 3000);
    assert.equal(h.maxConcurrent, 1);
  });

  it('starts no interim decode while a final of the stream is pending, nor beyond the gateway budget', async () => {
    const budget = new InterimBudget();
    const a = harness({ budget, maxInFlight: 1 });
    const b = harness({ budget, maxInFlight: 1 });
    a.setFinalsPending(true);
    a.openSegment();
    a.grow(1500);
    assert.equal(a.calls.length, 0);
    assert.deepEqual(a.skipped, ['final_pending']);
    a.setFinalsPending(false);
    a.grow(10);
    assert.equal(a.calls.length, 1);
    b.openSegment();
    b.grow(1000);
    assert.equal(b.calls.length, 0);
    assert.deepEqual(b.skipped, ['gateway_budget']);
    a.calls[0].resolve(reply('x'));
    await settle();
    assert.equal(budget.active, 0, "a's reply freed its slot");
    b.grow(10);
    assert.equal(b.calls.length, 1, 'b takes the free slot');
    a.grow(1000);
    assert.equal(a.calls.length, 1);
    assert.deepEqual(a.skipped, ['final_pending', 'gateway_budget']);
  });

  it('skips interim decodes while the stream lags, and resumes when it has caught up', () => {
    const h = harness();
    h.openSegment();
    h.setLagging(true);
    h.grow(2000);
    assert.equal(h.calls.length, 0);
    assert.deepEqual(h.skipped, ['lagging']);
    h.setLagging(false);
    h.grow(100);
    assert.equal(h.calls.length, 1);
    assert.equal(h.calls[0].job.endMs, 2100, 'the decode covers all the audio so far');
  });

  it('drops a reply that arrives after its segment closed, and frees the slot when a decode fails', async () => {
    const h = harness();
    h.openSegment();
    h.grow(1000);
    h.calls[0].resolve(reply('one two'));
    await settle();
    h.grow(1000);
    const final = h.close();
    h.calls[1].resolve(reply('one two three'));
    await settle();
    assert.equal(h.emitted.length, 0, 'the final replaces it');
    assert.equal(final, 3);
    assert.deepEqual(h.decodedEnds, [1000, 2000], 'still counted for lag');

    h.openSegment();
    h.grow(1000);
    h.calls[2].reject(new Error('worker gone'));
    await settle();
    h.grow(1000);
    assert.equal(h.calls.length, 4);
  });

  it('property: with random decode texts and reply delays (300 seeds), interims never flicker back, revisions strictly increase and the final revision is above all', async () => {
    let interims = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const random = seededRandom(seed);
      const totalMs = 2000 + Math.floor(random() * 13_000);
      const seg = syntheticSegment(random, 3 + Math.floor(totalMs / 400), 20, {
        tailError: 0.4,
        cosmetic: 0.2,
        revision: random() < 0.3 ? 0.1 : 0,
      });
      const textAt = (endMs: number) =>
        seg.decodes[Math.min(seg.decodes.length - 1, Math.floor((endMs / totalMs) * seg.decodes.length))];
      const h = harness({ intervalMs: 500 + Math.floor(random() * 1000) });
      h.openSegment();
      let answered = 0;
      for (let ms = 0; ms < totalMs; ms += 100) {
        h.grow(100);
        // Replies come back after a random number of chunks.
        while (answered < h.calls.length && random() < 0.4) {
          const c = h.calls[answered++];
          if (random() < 0.05) c.reject(new Error('boom'));
          else c.resolve(reply(textAt(c.job.endMs)));
          await settle();
        }
      }
      const finalRevision = h.close();
      while (answered < h.calls.length) {
        h.calls[answered++].resolve(reply(seg.final));
        await settle();
      }
      const why = `seed ${seed}`;
      assert.equal(h.maxConcurrent <= 1, true, `${why}: more than one decode in flight`);
      let previous: InterimResult | undefined;
      for (const e of h.emitted) {
        if (previous) {
          assert.ok(
            e.revision > previous.revision,
            `${why}: revision ${e.revision} after ${previous.revision}`,
          );
          const p = splitWords(previous.text);
          const t = splitWords(e.text);
          assert.ok(
            p.length < t.length && p.every((w, i) => w === t[i]),
            `${why}: "${previous.text}" → "${e.text}" is not a growing prefix`,
          );
        }
        assert.ok(e.stability > 0 && e.stability <= 1, why);
        previous = e;
      }
      assert.ok(finalRevision > (previous?.revision ?? 0), `${why}: final revision ${finalRevision}`);
      assert.equal(finalRevision, h.calls.length + 1, `${why}: revisions are shared with the final`);
      interims += h.emitted.length;
    }
    assert.ok(interims > 600, `the sequences exercise the policy (${interims} interims sent)`);
  });
});
