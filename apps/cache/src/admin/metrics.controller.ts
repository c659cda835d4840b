import { Controller, Get, Header } from '@nestjs/common';
import { MetricsRegistry } from '@olt/shared';

/** Unauthenticated like every app's admin port: keep it off public networks. */
@Controller()
export class MetricsController {
  constructor(private readonly registry: MetricsRegistry) {}

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  @Get('healthz')
  health() {
    return { status: 'ok' };
  }
}
