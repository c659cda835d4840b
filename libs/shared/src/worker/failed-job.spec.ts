import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PoisonRequestError } from '../batching';
import type { Metrics } from '../metrics';
import { settleFailedJob } from './failed-job';

function settle(err: unknown, attemptsMade = 0) {
  const outcomes: string[] = [];
  const answered: string[] = [];
  const metrics = { jobsTotal: { inc: (l: { outcome: string }) => outcomes.push(l.outcome) } };
  const done = settleFailedJob({
    err,
    attemptsMade,
    attempts: 3,
    queueName: 'q',
    metrics: metrics as unknown as Metrics,
    logger: { warn: () => undefined },
    context: {},
    what: 'job',
    answerFailure: async () => void answered.push('error reply'),
  });
  return { done, outcomes, answered };
}

describe('settleFailedJob', () => {
  it('answers a poison job (it failed alone in its batch) with an error at once, on its first attempt', async () => {
    const s = settle(new PoisonRequestError(new Error('ONNX error')));
    await s.done;
    assert.deepEqual(s.answered, ['error reply']);
    assert.deepEqual(s.outcomes, ['error']);
  });

  it('rethrows a transient error (a Redis hiccup) while attempts are left, so BullMQ retries it', async () => {
    const s = settle(new Error('Connection is closed.'));
    await assert.rejects(s.done, /Connection is closed/);
    assert.deepEqual(s.outcomes, ['retry']);
    assert.deepEqual(s.answered, []);
  });
});
