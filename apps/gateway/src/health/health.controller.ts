import { Controller, Get, Header, HttpCode, Res } from '@nestjs/common';
import { metricsText, MetricsRegistry } from '@olt/shared';
import { SessionService } from '../session/session.service';
import { ReadinessService } from './readiness.service';

@Controller()
export class HealthController {
  constructor(
    private readonly readiness: ReadinessService,
    private readonly sessions: SessionService,
    private readonly registry: MetricsRegistry,
  ) {}

  /** Liveness: the process answers. No dependencies checked (a Redis blip must not restart pods). */
  @Get('healthz')
  @HttpCode(200)
  healthz(): { status: string; streams: number } {
    return { status: 'ok', streams: this.sessions.activeStreams };
  }

  @Get('readyz')
  async readyz(@Res() res: { status(code: number): { json(body: unknown): void } }): Promise<void> {
    const report = await this.readiness.check();
    res.status(report.ready ? 200 : 503).json(report);
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): Promise<string> {
    return metricsText(this.registry);
  }
}
