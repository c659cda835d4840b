import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Logger } from 'pino';
import { Metrics, ROOT_LOGGER } from '@olt/shared';

/** Where an unexpected error happened; the `surface` label of olt_unexpected_errors_total. */
const SURFACES = ['http', 'ws', 'sse', 'grpc', 'process'] as const;
export type ErrorSurface = (typeof SURFACES)[number];

export interface UnexpectedErrorContext {
  requestId?: string;
  /** Method and URL (already redacted) or what else locates the failure. */
  [field: string]: unknown;
}

/**
 * Records an error no handler expected (a bug, never bad input): one error-level log line with the request
 * id and stack, and one count in olt_unexpected_errors_total{surface}. Callers answer the request alone with
 * a 500/INTERNAL and keep serving. Both dependencies are optional so slim test modules need neither.
 */
@Injectable()
export class UnexpectedErrors {
  constructor(
    @Optional() private readonly metrics?: Metrics,
    @Optional() @Inject(ROOT_LOGGER) private readonly logger?: Logger,
  ) {
    // Every surface's series from the start at 0, so a rate() alert sees the first error.
    for (const surface of SURFACES) metrics?.unexpectedErrorsTotal.inc({ surface }, 0);
  }

  report(surface: ErrorSurface, err: unknown, context: UnexpectedErrorContext = {}): void {
    try {
      this.metrics?.unexpectedErrorsTotal.inc({ surface });
      const fields = { ...context, surface, err: err instanceof Error ? err : new Error(String(err)) };
      if (this.logger) this.logger.error(fields, `unexpected error (${surface}); the request got INTERNAL`);
      else console.error(`unexpected error (${surface})`, context, err);
    } catch {
      // Reporting must never become a second failure.
    }
  }

  /** A log line for a request refused before the request logger saw it (body, charset, encoding, query). */
  rejected(status: number, message: string, context: UnexpectedErrorContext): void {
    try {
      this.logger?.warn({ ...context, status }, `HTTP request refused before routing: ${message}`);
    } catch {
      // as above
    }
  }
}
