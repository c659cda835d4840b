import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface WorkerHttpOptions {
  port: number;
  host?: string;
  registry: Registry;
  /** Readiness detail; ready=false answers 503. */
  readiness: () => Promise<{ ready: boolean; [detail: string]: unknown }>;
}

/**
 * Workers are Nest application contexts (no HTTP stack); this tiny server gives Kubernetes and Prometheus
 * /healthz, /readyz and /metrics without pulling Express into a GPU pod.
 */
export class WorkerHttpServer {
  private server?: Server;

  constructor(private readonly opts: WorkerHttpOptions) {}

  async start(): Promise<number> {
    this.server = createServer((req, res) => {
      void this.route(req.url ?? '/').then(
        ({ status, type, body }) => res.writeHead(status, { 'content-type': type }).end(body),
        (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(err.message),
      );
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.opts.port, this.opts.host ?? '0.0.0.0', resolve);
    });
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private async route(url: string): Promise<{ status: number; type: string; body: string }> {
    const path = url.split('?')[0];
    if (path === '/healthz') return { status: 200, type: 'application/json', body: '{"status":"ok"}' };
    if (path === '/readyz') {
      const report = await this.opts.readiness();
      return { status: report.ready ? 200 : 503, type: 'application/json', body: JSON.stringify(report) };
    }
    if (path === '/metrics') {
      return { status: 200, type: this.opts.registry.contentType, body: await this.opts.registry.metrics() };
    }
    return { status: 404, type: 'text/plain', body: 'not found: try /healthz, /readyz or /metrics' };
  }
}
