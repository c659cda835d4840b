import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { threadId } from 'node:worker_threads';
import { AppError } from '../errors';
import { EngineThreadPool, type EngineThreadEvent, type EngineThreadPoolOptions } from './engine-thread-pool';

const entry = join(__dirname, 'testing', 'fake-engine.thread.js');
type Summed = { threadId: number; length: number; sum: number };

function isAppError(code: string, fragment: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof AppError, `expected AppError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.match(err.message, fragment);
    return true;
  };
}

describe('EngineThreadPool', () => {
  const pools: EngineThreadPool<{ loadedBy: number }>[] = [];
  const start = async (options: Partial<EngineThreadPoolOptions> = {}) => {
    const pool = await EngineThreadPool.start<{ loadedBy: number }>({
      name: 'fake',
      entry,
      loadArgs: {},
      size: 1,
      callTimeoutMs: 10_000,
      ...options,
    });
    pools.push(pool);
    return pool;
  };
  after(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });

  it('runs calls in another thread and moves transferred buffers instead of copying them', async () => {
    const pool = await start();
    assert.notEqual(pool.engine.loadedBy, threadId);
    const data = Float32Array.from([1, 2, 3.5]);
    const result = await pool.call<Summed>('sum', { data }, [data.buffer]);
    assert.deepEqual(result, { threadId: pool.engine.loadedBy, length: 3, sum: 6.5 });
    assert.equal(data.byteLength, 0, 'the buffer was detached here, so it moved rather than being cloned');
  });

  it("rebuilds an engine's AppError with its code; the thread stays and serves the next call", async () => {
    const pool = await start();
    await assert.rejects(pool.call('reject', {}), isAppError('INVALID_ARGUMENT', /this input is poison/));
    const next = await pool.call<Summed>('sum', { data: Float32Array.from([2]) });
    assert.equal(next.threadId, pool.engine.loadedBy, 'same thread: nothing was restarted');
  });

  it('a thread that dies fails only the call it was running, is restarted, and the queue goes on', async () => {
    const events: EngineThreadEvent[] = [];
    const pool = await start({ onEvent: (e) => events.push(e) });
    const crash = pool.call('crash', {});
    const queued = pool.call<Summed>('sum', { data: Float32Array.from([4]) });
    await assert.rejects(
      crash,
      isAppError('INTERNAL', /fake-0 inference thread died .*engine state corrupted/),
    );
    const served = await queued;
    assert.equal(served.sum, 4);
    assert.notEqual(served.threadId, pool.engine.loadedBy, 'answered by the replacement thread');
    assert.deepEqual(
      events.map((e) => `${e.thread} ${e.type}`),
      ['fake-0 crashed', 'fake-0 restarted'],
    );
  });

  it('a call past its deadline fails with DEADLINE_EXCEEDED and its blocked thread is replaced', async () => {
    const pool = await start({ callTimeoutMs: 300 });
    const started = Date.now();
    await assert.rejects(
      pool.call('block', 2000),
      isAppError('DEADLINE_EXCEEDED', /within 300 ms.*replaced/),
    );
    assert.ok(Date.now() - started < 1500, 'rejected at the deadline, not when the thread got free');
    const next = await pool.call<Summed>('sum', { data: Float32Array.from([1]) });
    assert.notEqual(next.threadId, pool.engine.loadedBy);
  });

  it('spreads concurrent calls over its threads', async () => {
    const pool = await start({ size: 2 });
    const ids = await Promise.all([pool.call<number>('block', 300), pool.call<number>('block', 300)]);
    assert.equal(new Set(ids).size, 2, `both calls ran in thread ${ids[0]}`);
  });

  it('start() fails with the engine load error, code included', async () => {
    await assert.rejects(
      start({ loadArgs: { failLoad: 'model file missing' } }),
      isAppError('INVALID_ARGUMENT', /model file missing/),
    );
  });

  it('close() rejects the calls still waiting for a thread', async () => {
    const pool = await start();
    const running = assert.rejects(pool.call('block', 300), isAppError('UNAVAILABLE', /closed while/));
    const waiting = assert.rejects(
      pool.call('sum', { data: Float32Array.from([1]) }),
      isAppError('UNAVAILABLE', /closed before this call ran/),
    );
    await pool.close();
    await Promise.all([running, waiting]);
    await assert.rejects(pool.call('sum', {}), isAppError('UNAVAILABLE', /closed/));
  });
});
