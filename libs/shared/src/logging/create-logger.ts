import pino, { type DestinationStream, type Logger } from 'pino';
import { prettyDestination } from './pretty-line';
import { REDACTED_PATHS } from './redaction';

export interface CreateLoggerOptions {
  /** Process or component name; every line carries it as `name`. */
  name: string;
  /** fatal|error|warn|info|debug|trace|silent; default info. */
  level?: string;
  /** One line per entry for people instead of JSON for log pipelines. */
  pretty?: boolean;
  /** Where lines go; default stdout. Tests pass a capturing stream. */
  destination?: DestinationStream;
}

/**
 * Structured JSON logs on stdout: ISO time, level as a word (log pipelines need no level table), `name`,
 * pid, hostname; secrets redacted (see REDACTED_PATHS).
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  // pino's own stdout destination unless a test captures; pretty output is a plain stdout write.
  const destination = options.pretty
    ? prettyDestination(options.destination ?? process.stdout)
    : (options.destination ?? pino.destination(1));
  return pino(
    {
      name: options.name,
      level: options.level ?? 'info',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}

export interface SessionIds {
  /** Absent until the stream's config has arrived; make a new session logger once it is known. */
  sessionId?: string;
  tenantId: string;
}

/**
 * The logger a session logs through: every line carries sessionId and tenantId, so one grep finds a whole
 * session. Make it from the root logger (not from another session logger, which would repeat the ids). It
 * follows the root logger's level, including after a reload.
 */
export function sessionLogger(base: Logger, ids: SessionIds): Logger {
  return base.child(
    ids.sessionId === undefined
      ? { tenantId: ids.tenantId }
      : { sessionId: ids.sessionId, tenantId: ids.tenantId },
  );
}
