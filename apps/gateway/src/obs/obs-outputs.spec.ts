/**
 * ObsOutputs (the gateway's per-session OBS outputs) in a Nest context built from the real config and
 * logging modules, against a REAL headless OBS.
 */
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  ConfigModule,
  LoggingModule,
  Metrics,
  MetricsModule,
  type StreamResponse__Output,
} from '@olt/shared';
import { ObsWebSocketSocket } from '@olt/shared/dist/obs';
import { startHeadlessObs, type HeadlessObs } from '@olt/devkit/dist/obs';
import { needsProgram } from '@olt/devkit/dist/testing';
import { ObsOutputs } from './obs-outputs.service';

const call = (sessionId: string) => ({ tenantId: 'tenant-a', sessionId, callId: 'call-1' });
const skip = needsProgram('obs', 'gateway OBS outputs against a real OBS');

const final = (segmentId: string, text: string): StreamResponse__Output =>
  ({ transcript: { segmentId, text, isFinal: true, revision: 1, language: 'en' } }) as StreamResponse__Output;

async function contextWith(
  obs: Record<string, unknown>,
  lines: string[],
  resilience: Record<string, unknown> = {},
): Promise<INestApplicationContext> {
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  @Module({
    imports: [
      ConfigModule.forRoot({ env: {}, watch: false, overrides: { obs, resilience } }),
      LoggingModule.forRoot({ name: 'gateway', destination }),
      MetricsModule.forRoot({ app: 'gateway' }),
    ],
    providers: [ObsOutputs],
  })
  class TestModule {}
  return NestFactory.createApplicationContext(TestModule, { logger: false });
}

describe('gateway ObsOutputs', { skip }, () => {
  let obs: HeadlessObs;
  before(async () => {
    obs = await startHeadlessObs();
  });
  after(async () => {
    await obs?.dispose();
  });

  test('attaches nothing while [obs] is disabled', async () => {
    const app = await contextWith({ enabled: false }, []);
    try {
      assert.equal(app.get(ObsOutputs).attach(call('s0')), undefined);
      assert.deepEqual(app.get(ObsOutputs).status(call('s0')), []);
    } finally {
      await app.close();
    }
  });

  test('a session attached from [obs] shows its finals in OBS, logs with its session id, and detaches', async () => {
    const lines: string[] = [];
    const app = await contextWith(
      { enabled: true, url: obs.url, password: obs.password, textSource: 'Gateway Subs' },
      lines,
    );
    try {
      const outputs = app.get(ObsOutputs);
      const output = outputs.attach(call('sess-1'));
      assert.ok(output);
      await output.connection.whenConnected(10_000);
      outputs.publish(call('sess-1'), final('a', 'hello from the gateway'));
      // The same session id under another tenant (or another call) must never reach this OBS.
      outputs.publish({ ...call('sess-1'), tenantId: 'tenant-b' }, final('b', 'not for this OBS'));
      outputs.publish({ ...call('sess-1'), callId: 'call-2' }, final('c', 'not for this OBS either'));
      const probe = new ObsWebSocketSocket();
      await probe.connect(obs.url, obs.password);
      const deadline = Date.now() + 10_000;
      let text: unknown;
      while (Date.now() < deadline) {
        text = await probe
          .call('GetInputSettings', { inputName: 'Gateway Subs' })
          .then((r) => (r.inputSettings as { text?: string }).text)
          .catch(() => undefined);
        if (text === 'hello from the gateway') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await probe.disconnect();
      assert.equal(text, 'hello from the gateway');
      assert.equal(outputs.status(call('sess-1'))[0].connection.state, 'connected');
      const connected = lines
        .map((l) => JSON.parse(l) as { msg: string; sessionId?: string })
        .find((l) => /obs: connected to OBS/.test(l.msg));
      assert.equal(connected?.sessionId, 'sess-1');
      await outputs.detach(call('sess-1'));
      assert.deepEqual(outputs.status(call('sess-1')), []);
      assert.equal(output.status().connection.state, 'stopped');
    } finally {
      await app.close();
    }
  });
});

describe('gateway ObsOutputs circuit breaker', () => {
  test('an OBS that stops answering opens the output circuit: requests fail fast, olt_circuit_open{breaker="obs"} is 1', async () => {
    const app = await contextWith({ enabled: true, text_source: 'Subs', captions: false }, [], {
      request_timeout_ms: 100,
      breaker_min_calls: 2,
      breaker_reset_ms: 60_000,
    });
    const outputs = app.get(ObsOutputs);
    let requests = 0;
    outputs.socketFactory = () => ({
      connect: async () => ({ obsWebSocketVersion: '5.1.0' }),
      disconnect: async () => undefined,
      call: () => {
        requests++;
        return new Promise(() => undefined); // connected, but never answers
      },
      onClose: () => undefined,
    });
    const gauge = async () =>
      Number(
        /^olt_circuit_open\{[^}]*breaker="obs"[^}]*\} (\d+)/m.exec(
          await app.get(Metrics).registry.metrics(),
        )?.[1],
      );
    try {
      assert.equal(await gauge(), 0);
      const output = outputs.attach(call('s-breaker'))!;
      await output.connection.whenConnected(5000);
      const deadline = Date.now() + 10_000;
      while ((await gauge()) !== 1) {
        assert.ok(Date.now() < deadline, 'the circuit opened');
        output.showText(`line ${Date.now()}`);
        await new Promise((r) => setTimeout(r, 150));
      }
      const before = requests;
      const started = Date.now();
      await assert.rejects(output.connection.call('GetVersion'), /circuit "obs" open/);
      assert.ok(Date.now() - started < 50, 'an open circuit answers at once');
      assert.equal(requests, before, 'OBS was not asked');
      await outputs.detach(call('s-breaker'));
      assert.equal(await gauge(), 0, 'a detached output no longer counts');
    } finally {
      await app.close();
    }
  });
});
