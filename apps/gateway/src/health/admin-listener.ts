import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService, MetricsRegistry, WorkerHttpServer } from '@olt/shared';
import { ReadinessService } from './readiness.service';

/**
 * The gateway's admin HTTP listener on gateway.admin_port: /metrics (series carry tenant labels, so never
 * on the public port), /healthz and /readyz (also on the public port, for load balancers that only see
 * it). The same small server the workers use: no Express, no routes a client could reach by mistake.
 */
@Injectable()
export class AdminListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private server?: WorkerHttpServer;

  constructor(
    private readonly config: ConfigService,
    private readonly registry: MetricsRegistry,
    private readonly readiness: ReadinessService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { host, adminPort } = this.config.current.gateway;
    this.server = new WorkerHttpServer({
      port: adminPort,
      host,
      registry: this.registry,
      readiness: async () => ({ ...(await this.readiness.check()) }),
    });
    await this.server.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server?.stop();
  }
}
