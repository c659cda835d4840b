import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../errors';
import { MicroBatcher, PoisonRequestError } from './micro-batcher';

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('MicroBatcher', () => {
  it('puts concurrent requests into one batch and returns each caller its own result', async () => {
    const batches: number[][] = [];
    const b = new MicroBatcher<number, number>({
      maxBatchSize: 8,
      maxWaitMs: 20,
      run: async (xs) => (batches.push(xs), xs.map((x) => x * 10)),
    });
    const results = await Promise.all([1, 2, 3, 4].map((x) => b.submit(x)));
    assert.deepEqual(results, [10, 20, 30, 40]);
    assert.deepEqual(batches, [[1, 2, 3, 4]]);
  });

  it('dispatches a full batch at once without waiting for the timer', async () => {
    const b = new MicroBatcher<number, number>({ maxBatchSize: 2, maxWaitMs: 10_000, run: async (xs) => xs });
    const started = Date.now();
    assert.deepEqual(await Promise.all([b.submit(1), b.submit(2)]), [1, 2]);
    assert.ok(Date.now() - started < 5000);
  });

  it('never mixes keys in a batch and splits oversize groups', async () => {
    const batches: string[][] = [];
    const b = new MicroBatcher<string, string>({
      maxBatchSize: 2,
      maxWaitMs: 5,
      key: (s) => s[0],
      run: async (xs) => (batches.push(xs), xs),
    });
    await Promise.all(['a1', 'b1', 'a2', 'a3', 'b2'].map((s) => b.submit(s)));
    for (const batch of batches) {
      assert.ok(batch.length <= 2);
      assert.equal(new Set(batch.map((s) => s[0])).size, 1, `mixed batch ${batch}`);
    }
    assert.deepEqual(batches.flat().sort(), ['a1', 'a2', 'a3', 'b1', 'b2']);
  });

  it('fills the next batch while one runs (batches grow under load)', async () => {
    const sizes: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const b = new MicroBatcher<number, number>({
      maxBatchSize: 16,
      maxWaitMs: 0,
      run: async (xs) => {
        sizes.push(xs.length);
        if (sizes.length === 1) await gate;
        return xs;
      },
    });
    const first = b.submit(0);
    await tick(5);
    const rest = [1, 2, 3, 4, 5].map((x) => b.submit(x));
    await tick(5);
    assert.equal(b.queued, 5, 'waiting while the first batch runs');
    release();
    await Promise.all([first, ...rest]);
    assert.deepEqual(sizes, [1, 5]);
  });

  it('rejects every request of a failed batch and keeps serving', async () => {
    let fail = true;
    const b = new MicroBatcher<number, number>({
      maxBatchSize: 4,
      maxWaitMs: 1,
      run: async (xs) => {
        if (fail) throw new Error('model crashed');
        return xs;
      },
    });
    const outcomes = await Promise.allSettled([b.submit(1), b.submit(2)]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['rejected', 'rejected'],
    );
    fail = false;
    assert.equal(await b.submit(3), 3);
  });

  it('rejects when the runner returns the wrong number of results', async () => {
    const b = new MicroBatcher<number, number>({ maxBatchSize: 2, maxWaitMs: 1, run: async () => [1] });
    await assert.rejects(Promise.all([b.submit(1), b.submit(2)]), /1 results for 2 requests/);
  });
});

describe('MicroBatcher with isolateFailures (poison requests)', () => {
  it('fails only the request that cannot succeed, at once, and its batch-mates get their results', async () => {
    const runs: number[][] = [];
    const b = new MicroBatcher<number, number>({
      maxBatchSize: 4,
      maxWaitMs: 20,
      isolateFailures: true,
      run: async (xs) => {
        runs.push(xs);
        if (xs.includes(13)) throw new Error('ONNX Runtime: invalid input shape');
        return xs.map((x) => x * 10);
      },
    });
    const settled = await Promise.allSettled([1, 13, 2].map((x) => b.submit(x)));
    assert.deepEqual(
      settled.map((s) => s.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.deepEqual(
      [settled[0], settled[2]].map((s) => (s as PromiseFulfilledResult<number>).value),
      [10, 20],
    );
    const err = (settled[1] as PromiseRejectedResult).reason;
    assert.ok(err instanceof PoisonRequestError, `poison error, got ${err}`);
    assert.ok(err instanceof AppError, 'an AppError: the job is answered, not retried');
    assert.match(err.message, /invalid input shape/);
    // The batch once, then each request alone once: no repeated splitting.
    assert.deepEqual(runs, [[1, 13, 2], [1], [13], [2]]);
  });

  it('keeps an AppError from the engine as it is', async () => {
    const b = new MicroBatcher<number, number>({
      maxBatchSize: 1,
      maxWaitMs: 0,
      isolateFailures: true,
      run: async () => {
        throw new AppError('DEADLINE_EXCEEDED', 'too slow');
      },
    });
    await assert.rejects(b.submit(1), (err: AppError) => err.code === 'DEADLINE_EXCEEDED');
  });
});
