/**
 * Paths pino replaces with "[redacted]" before a line is written: API keys and credentials must never reach
 * log storage, whichever object they ride in (HTTP headers, gRPC metadata, a logged config or tenant).
 */
export const REDACTED_PATHS: string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["proxy-authorization"]',
  'req.headers["sec-websocket-protocol"]',
  'req.query.token',
  'token',
  '*.token',
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

/** Query parameters whose values are credentials: the overlay `token`, and keys some clients put in URLs. */
const SECRET_QUERY_PARAMS = /^(token|access_token|api_key|apikey|key|password|secret)$/i;

/**
 * A URL (or request target like `/overlay/s?token=…`) with the values of credential query parameters
 * replaced by "[redacted]". Works on text, so a malformed URL is redacted too (a log line must never
 * throw, and hostile URLs are the ones worth logging).
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // keep the raw name
      }
      return eq >= 0 && SECRET_QUERY_PARAMS.test(decoded) ? `${name}=[redacted]` : pair;
    })
    .join('&');
  return `${url.slice(0, q)}?${query}`;
}
