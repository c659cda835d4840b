import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';
import { ConfigModule } from '../config/config.module';
import { ConfigService } from '../config/config.service';
import { createLogger, sessionLogger } from './create-logger';
import { LoggingModule, ROOT_LOGGER } from './logging.module';
import { prettyLine } from './pretty-line';
import { redactUrl } from './redaction';

type Line = Record<string, unknown>;

function capture() {
  const lines: Line[] = [];
  return { lines, destination: { write: (text: string) => void lines.push(JSON.parse(text) as Line) } };
}

describe('createLogger', () => {
  test('writes one JSON object per line with time, level name, app name and message', () => {
    const { lines, destination } = capture();
    createLogger({ name: 'gateway', destination }).info({ streams: 2 }, 'ready');
    assert.equal(lines.length, 1);
    const [line] = lines;
    assert.equal(line.level, 'info');
    assert.equal(line.name, 'gateway');
    assert.equal(line.msg, 'ready');
    assert.equal(line.streams, 2);
    assert.match(String(line.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  test('redacts credentials in headers, gRPC metadata, tenants and config objects', () => {
    const { lines, destination } = capture();
    const log = createLogger({ name: 't', destination });
    log.info({ req: { headers: { authorization: 'Bearer sk-1', 'x-api-key': 'sk-2', host: 'h' } } }, 'http');
    log.info({ metadata: { authorization: 'Bearer sk-3' } }, 'grpc');
    log.info(
      { tenant: { id: 'a', apiKey: 'sk-4' }, config: { tenants: [{ id: 'b', apiKey: 'sk-5' }] } },
      'cfg',
    );
    const text = JSON.stringify(lines);
    for (const secret of ['sk-1', 'sk-2', 'sk-3', 'sk-4', 'sk-5']) assert.ok(!text.includes(secret), secret);
    assert.equal((lines[0].req as { headers: Line }).headers.host, 'h', 'other fields stay');
    assert.equal((lines[0].req as { headers: Line }).headers.authorization, '[redacted]');
  });

  test('redactUrl hides credential query values, also in malformed URLs, and keeps the rest', () => {
    assert.equal(redactUrl('/overlay/s1?token=abc.def&lines=2'), '/overlay/s1?token=[redacted]&lines=2');
    assert.equal(
      redactUrl('/x?api_key=k1&TOKEN=t&tok=keep'),
      '/x?api_key=[redacted]&TOKEN=[redacted]&tok=keep',
    );
    assert.equal(redactUrl('/x/%E0%A4%A?%E0=1&token=t2'), '/x/%E0%A4%A?%E0=1&token=[redacted]');
    assert.equal(redactUrl('/x?to%6Ben=t3'), '/x?to%6Ben=[redacted]', 'an encoded name is still a token');
    assert.equal(redactUrl('/plain'), '/plain');
  });

  test('a session logger stamps sessionId and tenantId on every line and follows the root level', () => {
    const { lines, destination } = capture();
    const root = createLogger({ name: 'gateway', level: 'info', destination });
    const session = sessionLogger(root, { sessionId: 's-1', tenantId: 't-1' });
    session.debug('hidden at info');
    session.info('started');
    root.level = 'debug';
    session.debug('visible after the root went to debug');
    sessionLogger(root, { tenantId: 't-2' }).info('before the stream config');
    assert.deepEqual(
      lines.map((l) => [l.msg, l.sessionId, l.tenantId]),
      [
        ['started', 's-1', 't-1'],
        ['visible after the root went to debug', 's-1', 't-1'],
        ['before the stream config', undefined, 't-2'],
      ],
    );
  });

  test('pretty mode renders one human-readable line per entry', () => {
    const out: string[] = [];
    createLogger({ name: 'asr', pretty: true, destination: { write: (t: string) => void out.push(t) } }).warn(
      { queue: 'asr-cpu' },
      'slow job',
    );
    assert.equal(out.length, 1);
    assert.match(out[0], /^\d\d:\d\d:\d\d\.\d{3} WARN {2}asr: slow job queue=asr-cpu\n$/);
    assert.equal(prettyLine('not json'), 'not json', 'foreign lines pass through');
  });
});

@Controller()
class ProbeController {
  @Get('healthz')
  health() {
    return { status: 'ok' };
  }
  @Get('hello')
  hello() {
    return 'hi';
  }
}

describe('LoggingModule', () => {
  test('logs HTTP requests except probes and /metrics, redacted, and follows log.level reloads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'olt-logging-'));
    const file = join(dir, 'olt.toml');
    writeFileSync(file, '[log]\nlevel = "info"\n');
    const { lines, destination } = capture();
    @Module({
      imports: [
        ConfigModule.forRoot({ file, env: {}, watch: false }),
        LoggingModule.forRoot({ name: 'gw', destination }),
      ],
      controllers: [ProbeController],
    })
    class HttpModule {}
    const app = await NestFactory.create(HttpModule, { logger: false });
    try {
      await app.listen(0, '127.0.0.1');
      const base = await app.getUrl();
      await (await fetch(`${base}/healthz`)).text();
      await (await fetch(`${base}/metrics`)).text();
      await (await fetch(`${base}/hello`, { headers: { authorization: 'Bearer sk-live' } })).text();
      const echoed = await fetch(`${base}/hello?token=overlay-secret-token&lines=2`, {
        headers: { 'x-request-id': 'req-42', 'proxy-authorization': 'Basic cHJveHk=' },
      });
      await echoed.text();
      assert.equal(echoed.headers.get('x-request-id'), 'req-42', 'the caller’s request id is echoed');

      const requests = lines.filter((l) => l.req);
      assert.deepEqual(
        requests.map((l) => (l.req as Line).url),
        ['/hello', '/hello?token=[redacted]&lines=2'],
      );
      assert.equal(requests[0].name, 'gw');
      assert.equal((requests[1].req as Line).id, 'req-42');
      const text = JSON.stringify(lines);
      for (const secret of ['sk-live', 'overlay-secret-token', 'cHJveHk='])
        assert.ok(!text.includes(secret), secret);

      const root = app.get<Logger>(ROOT_LOGGER);
      assert.equal(root.level, 'info');
      writeFileSync(file, '[log]\nlevel = "debug"\n');
      assert.equal(app.get(ConfigService).reload(), true);
      assert.equal(root.level, 'debug');
    } finally {
      await app.close();
    }
  });

  test('in an application context (workers), injected PinoLoggers write through the root logger', async () => {
    const { lines, destination } = capture();
    @Module({
      imports: [
        ConfigModule.forRoot({ env: {}, watch: false, overrides: { log: { level: 'warn' } } }),
        LoggingModule.forRoot({ name: 'asr-worker', destination }),
      ],
    })
    class WorkerModule {}
    const app = await NestFactory.createApplicationContext(WorkerModule, { logger: false });
    try {
      const logger = await app.resolve(PinoLogger);
      logger.setContext('Runner');
      logger.info('below the configured level');
      logger.warn('model missing');
      assert.deepEqual(
        lines.map((l) => [l.name, l.level, l.context, l.msg]),
        [['asr-worker', 'warn', 'Runner', 'model missing']],
      );
    } finally {
      await app.close();
    }
  });
});
