import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTinyModels, TINY_NLLB, TINY_WHISPER } from '../models/tiny-models';
import {
  type RedisClusterHandle,
  type RedisClusterOptions,
  type RedisServer,
  type SentinelGroup,
  type SentinelGroupOptions,
  startRedisCluster,
  startRedisServer,
  startSentinelGroup,
} from '../redis';
import { AppProcess, type AppName } from './app-process';
import { freePort } from './free-port';
import { repoRoot } from './repo-root';

export interface LocalStackOptions {
  /** Existing Redis URLs; when absent, two local redis-server processes are spawned with the right policies. */
  queueRedisUrl?: string;
  cacheRedisUrl?: string;
  /**
   * Run the queue Redis as a Sentinel group (master + replicas + Sentinels, fast failover) instead of one
   * server; the apps get a redis+sentinel:// URL. Ignored with queueRedisUrl.
   */
  queueSentinel?: boolean | SentinelGroupOptions;
  /** Run the cache Redis as a Redis Cluster (needs redis-cli); the apps get a redis+cluster:// URL. */
  cacheCluster?: boolean | RedisClusterOptions;
  modelsDir?: string;
  asrModel?: string;
  translateModel?: string;
  /**
   * Gateways sharing the Redis servers (default 1). With more than one they run as a fleet
   * (`gateway.fleet`, one overlay.token_secret); the first uses grpcPort/httpPort/adminPort.
   */
  gateways?: number;
  asrWorkers?: number;
  translateWorkers?: number;
  grpcPort?: number;
  httpPort?: number;
  /** Admin listener (/metrics, probes); default a free port. */
  adminPort?: number;
  /** Config keys merged into the generated file, by section (tests tune queue timings, limits, faults). */
  settings?: Record<string, Record<string, string | number | boolean>>;
  /**
   * Serve gRPC and public HTTP over TLS with these PEM files (e.g. from makeTestCertificates); httpUrl is
   * then https:// and readiness is polled on the plain admin listener.
   */
  tls?: { certFile: string; keyFile: string; reloadIntervalMs?: number };
  /** API keys accepted by the gateway; tenant id = key name. */
  apiKeys?: Record<string, string>;
  /** max_streams per tenant id (default 500). */
  tenantMaxStreams?: Record<string, number>;
  logDir?: string;
  onLine?: (label: string, line: string) => void;
  readyTimeoutMs?: number;
  /** Wait for /readyz before returning (default true; false when a test starts workers itself). */
  waitForReady?: boolean;
  /**
   * Also run apps/cache (LFU policy, lookup events, admin API, warming). Off by default: most e2e tests
   * don't need it and every process costs start-up time on small CI machines; the demo and the dashboard
   * check turn it on.
   */
  cacheService?: boolean | { adminToken?: string; warming?: boolean };
}

/** Where apps/cache listens when the stack runs it. */
export interface CacheServiceEndpoint {
  /** Admin API (/v1/admin/*), /metrics and /healthz. */
  adminUrl: string;
  /** Bearer token of the admin API. */
  adminToken: string;
  process: AppProcess;
}

/** Where one gateway of the stack listens. */
export interface GatewayEndpoints {
  grpcAddress: string;
  httpUrl: string;
  adminUrl: string;
  process: AppProcess;
}

export interface LocalStack {
  /** Every gateway; the fields below (grpcAddress, httpUrl, adminUrl, gateway) are the first's. */
  gateways: GatewayEndpoints[];
  grpcAddress: string;
  httpUrl: string;
  /** The gateway's admin listener: /metrics (never on httpUrl), /healthz, /readyz. */
  adminUrl: string;
  queueRedisUrl: string;
  cacheRedisUrl: string;
  configFile: string;
  logDir: string;
  /** The gateway process now (restartGateway() replaces it). */
  gateway: AppProcess;
  workers: AppProcess[];
  /** The Redis servers this stack spawned (undefined when given URLs): restart() them to test outages. */
  queueRedis?: RedisServer;
  cacheRedis?: RedisServer;
  /** Present when started with queueSentinel: crash its master to test failover. */
  queueSentinel?: SentinelGroup;
  /** Present when started with cacheCluster. */
  cacheCluster?: RedisClusterHandle;
  /** SIGTERM the gateway (it drains), wait for it to exit, start a new one on the same ports. */
  restartGateway(drainTimeoutMs?: number): Promise<AppProcess>;
  /** Present when started with `cacheService`. */
  cache?: CacheServiceEndpoint;
  startWorker(name: Exclude<AppName, 'gateway'>, extraEnv?: Record<string, string>): Promise<AppProcess>;
  waitReady(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs the whole product locally as separate processes (gateway, ASR and translate workers) against
 * real Redis servers: what `npm run demo`, the end-to-end tests and the benchmarks use.
 */
export async function startLocalStack(opts: LocalStackOptions = {}): Promise<LocalStack> {
  const root = repoRoot();
  const runDir = mkdtempSync(join(tmpdir(), 'olt-stack-'));
  const logDir = opts.logDir ?? join(runDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const cleanups: Array<() => Promise<void>> = [];

  try {
    let queueRedisUrl = opts.queueRedisUrl;
    let queueRedis: RedisServer | undefined;
    let queueSentinel: SentinelGroup | undefined;
    if (!queueRedisUrl && opts.queueSentinel) {
      queueSentinel = await startSentinelGroup(opts.queueSentinel === true ? {} : opts.queueSentinel);
      cleanups.push(queueSentinel.stop);
      queueRedisUrl = queueSentinel.url;
    }
    if (!queueRedisUrl) {
      // AOF everysec, as in compose and the chart: jobs and reply streams survive a restart.
      queueRedis = await startRedisServer({ policy: 'noeviction', name: 'queue', appendOnly: true });
      cleanups.push(queueRedis.stop);
      queueRedisUrl = queueRedis.url;
    }
    let cacheRedisUrl = opts.cacheRedisUrl;
    let cacheRedis: RedisServer | undefined;
    let cacheCluster: RedisClusterHandle | undefined;
    if (!cacheRedisUrl && opts.cacheCluster) {
      cacheCluster = await startRedisCluster(opts.cacheCluster === true ? {} : opts.cacheCluster);
      cleanups.push(cacheCluster.stop);
      cacheRedisUrl = cacheCluster.url;
    }
    if (!cacheRedisUrl) {
      cacheRedis = await startRedisServer({ policy: 'allkeys-lfu', maxmemory: '256mb', name: 'cache' });
      cleanups.push(cacheRedis.stop);
      cacheRedisUrl = cacheRedis.url;
    }
    const modelsDir = opts.modelsDir ?? join(root, '.models');
    const asrModel = opts.asrModel ?? TINY_WHISPER;
    const translateModel = opts.translateModel ?? TINY_NLLB;
    if (asrModel === TINY_WHISPER || translateModel === TINY_NLLB) await ensureTinyModels(modelsDir);

    const grpcPort = opts.grpcPort ?? (await freePort());
    const httpPort = opts.httpPort ?? (await freePort());
    const adminPort = opts.adminPort ?? (await freePort());
    const tenants = Object.entries(opts.apiKeys ?? {})
      .map(
        ([id, key]) =>
          `[[tenants]]\nid = ${JSON.stringify(id)}\napi_key = ${JSON.stringify(key)}\nplan = "pro"\nmax_streams = ${opts.tenantMaxStreams?.[id] ?? 500}\n`,
      )
      .join('\n');
    const configFile = join(runDir, 'stack.toml');
    const sections: Record<string, Record<string, string | number | boolean>> = {
      gateway: {
        host: '127.0.0.1',
        grpc_port: grpcPort,
        http_port: httpPort,
        admin_port: adminPort,
        ...(opts.tls
          ? {
              tls_cert_file: opts.tls.certFile,
              tls_key_file: opts.tls.keyFile,
              tls_reload_interval_ms: opts.tls.reloadIntervalMs ?? 30000,
            }
          : {}),
      },
      redis: { queue_url: queueRedisUrl, cache_url: cacheRedisUrl },
      models: { dir: modelsDir },
      asr: { model: asrModel },
      translate: { model: translateModel },
      workers: { http_port: 0 },
      auth: { allow_anonymous: !opts.apiKeys },
    };
    const gatewayCount = opts.gateways ?? 1;
    if (gatewayCount > 1) {
      sections.gateway.fleet = true;
      sections.overlay = { token_secret: 'local-stack-fleet-overlay-key' };
    }
    const cacheOpts = opts.cacheService === true ? {} : opts.cacheService || undefined;
    const cacheAdminPort = cacheOpts ? await freePort() : 0;
    const cacheAdminToken = cacheOpts?.adminToken ?? 'local-stack-cache-admin';
    if (cacheOpts) {
      sections.cache_service = {
        admin_port: cacheAdminPort,
        admin_token_sha256: createHash('sha256').update(cacheAdminToken).digest('hex'),
        warming_enabled: cacheOpts.warming ?? true,
      };
    }
    for (const [section, values] of Object.entries(opts.settings ?? {})) {
      sections[section] = { ...sections[section], ...values };
    }
    const toml = Object.entries(sections).map(
      ([section, values]) =>
        `[${section}]\n${Object.entries(values)
          .map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
          .join('\n')}\n`,
    );
    writeFileSync(
      configFile,
      [
        '# Generated by the local stack launcher (libs/devkit/src/stack/local-stack.ts).',
        ...toml,
        tenants,
      ].join('\n'),
    );
    const env = { OLT_CONFIG: configFile };

    const spawnApp = (name: AppName, extraEnv: Record<string, string> = {}): AppProcess => {
      const label = `${name}-${counter[name]++}`;
      const proc = new AppProcess({ name, label, env: { ...env, ...extraEnv }, logDir, onLine: opts.onLine });
      cleanups.push(() => proc.stop());
      return proc;
    };
    const counter: Record<AppName, number> = { gateway: 1, 'asr-worker': 1, 'translate-worker': 1, cache: 1 };
    const workers: AppProcess[] = [];
    for (let i = 0; i < (opts.asrWorkers ?? 1); i++) workers.push(spawnApp('asr-worker'));
    for (let i = 0; i < (opts.translateWorkers ?? 1); i++) workers.push(spawnApp('translate-worker'));
    let gateway = spawnApp('gateway');
    const cache: CacheServiceEndpoint | undefined = cacheOpts
      ? {
          adminUrl: `http://127.0.0.1:${cacheAdminPort}`,
          adminToken: cacheAdminToken,
          process: spawnApp('cache'),
        }
      : undefined;
    const scheme = opts.tls ? 'https' : 'http';
    const gateways: GatewayEndpoints[] = [
      {
        grpcAddress: `127.0.0.1:${grpcPort}`,
        httpUrl: `${scheme}://127.0.0.1:${httpPort}`,
        adminUrl: `http://127.0.0.1:${adminPort}`,
        process: gateway,
      },
    ];
    for (let i = 1; i < gatewayCount; i++) {
      const [g, h, a] = [await freePort(), await freePort(), await freePort()];
      gateways.push({
        grpcAddress: `127.0.0.1:${g}`,
        httpUrl: `${scheme}://127.0.0.1:${h}`,
        adminUrl: `http://127.0.0.1:${a}`,
        process: spawnApp('gateway', {
          OLT__GATEWAY__GRPC_PORT: String(g),
          OLT__GATEWAY__HTTP_PORT: String(h),
          OLT__GATEWAY__ADMIN_PORT: String(a),
        }),
      });
    }
    const httpUrl = `${scheme}://127.0.0.1:${httpPort}`;

    // Gateways are ready without workers; the stack also waits for each kind of worker it runs.
    type ReadyBody = { workers?: Record<string, { alive: number }> };
    const workersUp = (body: ReadyBody): boolean =>
      (['asr', 'translate'] as const).every(
        (kind) =>
          !workers.some((w) => w.running && w.opts.name === `${kind}-worker`) ||
          (body.workers?.[kind]?.alive ?? 0) > 0,
      );
    const waitReady = async (timeoutMs = opts.readyTimeoutMs ?? 60_000): Promise<void> => {
      const deadline = Date.now() + timeoutMs;
      let last = '';
      while (Date.now() < deadline) {
        for (const p of [...gateways.map((g) => g.process), ...workers, ...(cache ? [cache.process] : [])]) {
          if (!p.running && !p.intentionallyStopped) {
            throw new Error(`${p.opts.label} exited during start-up:\n${p.recentOutput()}`);
          }
        }
        try {
          let allReady = true;
          for (const g of gateways) {
            // The admin listener stays plain under TLS, so readiness needs no CA.
            const res = await fetch(`${g.adminUrl}/readyz`);
            last = await res.text();
            allReady &&= res.ok && workersUp(JSON.parse(last) as ReadyBody);
          }
          if (allReady && cache?.process.running) {
            const res = await fetch(`${cache.adminUrl}/healthz`);
            last = `cache service /healthz: ${res.status}`;
            allReady = res.ok;
          }
          if (allReady) return;
        } catch (err) {
          last = (err as Error).message;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      const dead = [...gateways.map((g) => g.process), ...workers, ...(cache ? [cache.process] : [])]
        .filter((p) => !p.running)
        .map((p) => `${p.opts.label}:\n${p.recentOutput()}`);
      throw new Error(
        `stack not ready within ${timeoutMs} ms (last /readyz: ${last})${dead.length ? `\nexited:\n${dead.join('\n')}` : ''}`,
      );
    };

    const stack: LocalStack = {
      gateways,
      grpcAddress: `127.0.0.1:${grpcPort}`,
      httpUrl,
      adminUrl: `http://127.0.0.1:${adminPort}`,
      queueRedisUrl,
      cacheRedisUrl,
      configFile,
      logDir,
      gateway,
      workers,
      queueRedis,
      cacheRedis,
      queueSentinel,
      cacheCluster,
      restartGateway: async (drainTimeoutMs = 30_000) => {
        await stack.gateway.stop(drainTimeoutMs + 5000);
        gateway = spawnApp('gateway');
        stack.gateway = gateway;
        gateways[0] = { ...gateways[0], process: gateway };
        await waitReady();
        return gateway;
      },
      cache,
      startWorker: async (name, extraEnv) => {
        const p = spawnApp(name, extraEnv);
        workers.push(p);
        return p;
      },
      waitReady,
      stop: async () => {
        // Apps first (they flush to Redis on shutdown), then the Redis servers.
        for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
        cleanups.length = 0;
      },
    };
    if (opts.waitForReady !== false) await waitReady();
    return stack;
  } catch (err) {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    throw err;
  }
}
