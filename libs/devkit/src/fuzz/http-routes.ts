import type { HttpTargets } from './http-arbitraries';

/** Routes the OpenAPI document does not list: health, metrics, the docs themselves, the WebSocket paths. */
const UNLISTED_ROUTES: HttpTargets['routes'] = [
  { method: 'GET', path: '/healthz' },
  { method: 'GET', path: '/readyz' },
  { method: 'GET', path: '/metrics' },
  { method: 'GET', path: '/docs' },
  { method: 'GET', path: '/docs/' },
  { method: 'GET', path: '/docs/swagger-ui.css' },
  { method: 'GET', path: '/docs/swagger-ui-bundle.js' },
  { method: 'GET', path: '/docs/swagger-ui-init.js' },
  { method: 'GET', path: '/docs/{file}' },
  { method: 'GET', path: '/docs-json' },
  { method: 'GET', path: '/docs-yaml' },
  { method: 'GET', path: '/overlay/{sessionId}' },
  { method: 'GET', path: '/overlay/{sessionId}/events' },
  { method: 'GET', path: '/overlay/{sessionId}/ws' },
  { method: 'GET', path: '/v1/sessions/{id}/feed' },
];

/** Every route × method the gateway serves: its OpenAPI document (/docs-json) plus the unlisted ones. */
export async function discoverHttpRoutes(httpUrl: string): Promise<HttpTargets['routes']> {
  const res = await fetch(`${httpUrl}/docs-json`, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`GET /docs-json answered ${res.status}: cannot discover the routes to fuzz`);
  const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
  const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path })),
  );
  const seen = new Set(routes.map((r) => `${r.method} ${r.path}`));
  for (const r of UNLISTED_ROUTES) if (!seen.has(`${r.method} ${r.path}`)) routes.push(r);
  return routes;
}
