/**
 * Paths pino replaces with "[redacted]" before a line is written: API keys and credentials must never reach
 * log storage, whichever object they ride in (HTTP headers, gRPC metadata, a logged config or tenant).
 */
export const REDACTED_PATHS: string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'authorization',
  '*.authorization',
  'metadata.authorization',
  '*.metadata.authorization',
  'apiKey',
  '*.apiKey',
  'api_key',
  '*.api_key',
  'password',
  '*.password',
  'tenants[*].apiKey',
  'tenants[*].api_key',
  '*.tenants[*].apiKey',
  '*.tenants[*].api_key',
];
