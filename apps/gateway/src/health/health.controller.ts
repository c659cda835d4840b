import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { SessionService } from '../session/session.service';
import { ReadinessService } from './readiness.service';

/**
 * Probes on the public port. /metrics is not here: it lives on the admin listener (AdminListener), which
 * serves these two probes as well.
 */
@Controller()
export class HealthController {
  constructor(
    private readonly readiness: ReadinessService,
    private readonly sessions: SessionService,
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
}
