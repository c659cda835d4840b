import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { ConfigService, Metrics, breakerFromConfig, type DependencyBreaker } from '@olt/shared';

/**
 * Every queue-Redis call in a request's path (segment audio, enqueue, worker list) goes through here: each
 * under resilience.request_timeout_ms, behind the "queue" circuit breaker. A Redis outage then costs a
 * segment an UNAVAILABLE after the deadline (the session sends a WARNING), and once the circuit is open,
 * nothing at all: calls fail at once until a half-open probe succeeds.
 */
@Injectable()
export class QueueBreaker implements OnApplicationShutdown {
  private readonly breaker: DependencyBreaker;

  constructor(
    config: ConfigService,
    metrics: Metrics,
    @InjectPinoLogger(QueueBreaker.name) logger: PinoLogger,
  ) {
    const { resilience } = config.current;
    this.breaker = breakerFromConfig({
      name: 'queue',
      description: 'the job queue (queue Redis)',
      timeoutMs: resilience.requestTimeoutMs,
      resilience,
      metrics,
      log: logger.logger,
    });
  }

  run<T>(call: () => Promise<T>): Promise<T> {
    return this.breaker.run(call);
  }

  onApplicationShutdown(): void {
    this.breaker.shutdown();
  }
}
