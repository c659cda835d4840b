import type { PinoLogger } from 'nestjs-pino';
import { Registry } from 'prom-client';
import { Metrics, type ConfigService } from '@olt/shared';
import { QueueBreaker } from './queue-breaker';

/** A QueueBreaker for unit tests: the config's `resilience` settings, its own registry, no logs. */
export function testQueueBreaker(config: ConfigService): QueueBreaker {
  const quiet = { logger: { warn: () => undefined, info: () => undefined } } as unknown as PinoLogger;
  return new QueueBreaker(config, new Metrics(new Registry(), 'gateway'), quiet);
}
