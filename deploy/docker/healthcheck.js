/* global AbortSignal */
// Container HEALTHCHECK: GET /healthz on the app's own HTTP port (gateway: gateway.http_port, default 8080;
// cache: cache_service.admin_port, default 9470; workers: workers.http_port, default 9090). Reads the same env overrides the app does, so a port changed
// with OLT__GATEWAY__HTTP_PORT / OLT__WORKERS__HTTP_PORT is followed; a port changed only in the TOML file
// is not (set the env variable too).
const app = process.env.OLT_APP || 'gateway';
const port =
  app === 'gateway'
    ? process.env.OLT__GATEWAY__HTTP_PORT || '8080'
    : app === 'cache'
      ? process.env.OLT__CACHE_SERVICE__ADMIN_PORT || '9470'
      : process.env.OLT__WORKERS__HTTP_PORT || '9090';
fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2500) }).then(
  (res) => process.exit(res.ok ? 0 : 1),
  () => process.exit(1),
);
