import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { installProcessGuards } from './process-guards';
import type { UnexpectedErrors } from './infra/unexpected-errors';

function setup() {
  const reports: Array<{ surface: string; action: unknown }> = [];
  const exits: number[] = [];
  const proc = new EventEmitter();
  const unexpected = {
    report: (surface: string, _err: unknown, ctx: { action?: unknown }) =>
      void reports.push({ surface, action: ctx.action }),
  } as unknown as UnexpectedErrors;
  const remove = installProcessGuards({ unexpected, proc, exit: (code) => void exits.push(code) });
  return { reports, exits, proc, remove };
}

describe('process guards (last line of defence)', () => {
  it('an unhandled rejection is logged and counted, and the process keeps running', () => {
    const { reports, exits, proc } = setup();
    proc.emit('unhandledRejection', new Error('nobody awaited me'));
    assert.deepEqual(exits, []);
    assert.equal(reports[0].surface, 'process');
  });

  it("a peer's socket error keeps the process running; any other uncaught exception exits 1", () => {
    const { reports, exits, proc, remove } = setup();
    proc.emit('uncaughtException', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    assert.deepEqual(exits, []);
    proc.emit('uncaughtException', new TypeError('state unknown'));
    assert.deepEqual(exits, [1]);
    assert.equal(reports.length, 2);
    assert.match(String(reports[1].action), /exiting/);
    remove();
    assert.equal(proc.listenerCount('uncaughtException'), 0);
  });
});
