import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigModule, LoggingModule, MetricsModule, MetricsRegistry } from '@olt/shared';
import { HttpErrorFilter } from './http-error.filter';
import { UnexpectedErrors } from '../infra/unexpected-errors';

@Controller()
class FaultyController {
  @Get('bug')
  bug(): string {
    // What a bug looks like from outside: a TypeError from a property of undefined.
    return (undefined as unknown as { name: string }).name;
  }

  @Get('fine')
  fine(): { ok: true } {
    return { ok: true };
  }
}

describe('HttpErrorFilter with an unexpected error', () => {
  it('answers that request alone with 500 INTERNAL, logs it with the request id, counts it, keeps serving', async () => {
    const lines: Array<Record<string, unknown>> = [];
    @Module({
      imports: [
        ConfigModule.forRoot({ env: {}, watch: false }),
        LoggingModule.forRoot({
          name: 'gateway',
          destination: { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) },
        }),
        MetricsModule.forRoot({ app: 'gateway' }),
      ],
      controllers: [FaultyController],
      providers: [UnexpectedErrors, HttpErrorFilter],
    })
    class FaultyModule {}
    const app = await NestFactory.create(FaultyModule, { logger: false });
    app.useGlobalFilters(app.get(HttpErrorFilter));
    try {
      await app.listen(0, '127.0.0.1');
      const base = await app.getUrl();
      const res = await fetch(`${base}/bug`, { headers: { 'x-request-id': 'bug-req-1' } });
      assert.equal(res.status, 500);
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'INTERNAL');
      assert.match(body.error.message, /bug-req-1/, 'the client gets the id to report');
      assert.doesNotMatch(body.error.message, /undefined/, 'no internals in the answer');

      const logged = lines.find((l) => l.surface === 'http' && l.level === 'error');
      assert.ok(logged, 'an error line');
      assert.equal(logged.requestId, 'bug-req-1');
      assert.match(JSON.stringify(logged.err), /TypeError/);

      const metrics = await app.get(MetricsRegistry).metrics();
      assert.match(metrics, /olt_unexpected_errors_total\{surface="http",app="gateway"\} 1/);
      assert.equal((await fetch(`${base}/fine`)).status, 200, 'the next request is served');
    } finally {
      await app.close();
    }
  });
});
