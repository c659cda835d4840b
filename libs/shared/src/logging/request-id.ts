import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A caller's own X-Request-Id is kept when it looks like an id (it ends up in logs and headers). */
const CALLER_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * The id of an HTTP request: the one pino-http gave it, else the caller's X-Request-Id, else a new UUID.
 * Stored on the request and echoed as X-Request-Id, so one id ties the response, the access log line
 * and any error line together (also for requests refused before the logging middleware ran).
 */
export function requestIdOf(req: IncomingMessage & { id?: unknown }, res?: ServerResponse): string {
  if (typeof req.id === 'string' || typeof req.id === 'number') return String(req.id);
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && CALLER_ID.test(given) ? given : randomUUID();
  req.id = id;
  if (res && !res.headersSent) res.setHeader('X-Request-Id', id);
  return id;
}
