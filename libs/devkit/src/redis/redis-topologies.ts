import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freeLocalPort, kill, type RedisServer, spawnRedisProcess, startRedisServer } from './redis-server';

/** Polls `check` every `everyMs` until it returns a value, or throws `what` with the last error at the deadline. */
async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline)
      throw new Error(`${what} not within ${timeoutMs} ms${last ? ` (${last})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** One short-lived command on a throw-away connection (no retries: the caller polls). */
async function command<T>(port: number, run: (r: Redis) => Promise<T>, password?: string): Promise<T> {
  const r = new Redis({
    host: '127.0.0.1',
    port,
    ...(password ? { password } : {}),
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
    commandTimeout: 2000,
  });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return await run(r);
  } finally {
    r.disconnect();
  }
}

export interface SentinelGroupOptions {
  /** Master name the Sentinels monitor; default "olt-queue". */
  masterName?: string;
  /** Replicas of the master (default 2) and Sentinels (default 3, quorum = majority). */
  replicas?: number;
  sentinels?: number;
  /** Sentinel's down-after-milliseconds: how long the master may be silent before a failover; default 1000. */
  downAfterMs?: number;
  /** Sentinel's failover-timeout; default 3000. */
  failoverTimeoutMs?: number;
  /** Data-node settings (the queue role's: noeviction + AOF). */
  policy?: string;
  appendOnly?: boolean;
  startTimeoutMs?: number;
  /** requirepass (and masterauth) of the data nodes; the Sentinels get it as auth-pass. */
  password?: string;
  /** requirepass of the Sentinels themselves (what redis.queue_sentinel_password is for). */
  sentinelPassword?: string;
}

export interface SentinelProcess {
  port: number;
  stop(): Promise<void>;
}

export interface SentinelGroup {
  masterName: string;
  /** `redis+sentinel://127.0.0.1:<s1>,…/<masterName>`: what the apps take as redis.queue_url. */
  url: string;
  /** Data nodes as started: [initial master, replicas…]. */
  nodes: RedisServer[];
  sentinels: SentinelProcess[];
  /** The node the Sentinels now name as master. */
  master(): Promise<RedisServer>;
  /**
   * Waits until the Sentinels name a master other than `formerPort` and it accepts writes (role master);
   * resolves with that node.
   */
  waitForNewMaster(formerPort: number, timeoutMs?: number): Promise<RedisServer>;
  stop(): Promise<void>;
}

/**
 * A Redis Sentinel group on 127.0.0.1: a master, its replicas and Sentinels (`redis-server <conf> --sentinel`:
 * no separate redis-sentinel binary is needed), with short failure detection so tests can fail over in
 * seconds. Resolves once the replicas are in sync and every Sentinel knows every replica and every other
 * Sentinel (a Sentinel that has not discovered its peers cannot reach a quorum).
 */
export async function startSentinelGroup(opts: SentinelGroupOptions = {}): Promise<SentinelGroup> {
  const masterName = opts.masterName ?? 'olt-queue';
  const replicaCount = opts.replicas ?? 2;
  const sentinelCount = opts.sentinels ?? 3;
  const timeoutMs = opts.startTimeoutMs ?? 20_000;
  const auth = opts.password ? ['--requirepass', opts.password, '--masterauth', opts.password] : [];
  const data = { policy: opts.policy ?? 'noeviction', appendOnly: opts.appendOnly ?? true, extraArgs: auth };
  const nodes: RedisServer[] = [];
  const sentinels: SentinelProcess[] = [];
  const stop = async () => {
    await Promise.all(sentinels.map((s) => s.stop()));
    await Promise.all(nodes.map((n) => n.stop()));
  };
  try {
    const master = await startRedisServer({ ...data, name: `${masterName}-0` });
    nodes.push(master);
    for (let i = 1; i <= replicaCount; i++) {
      nodes.push(
        await startRedisServer({
          ...data,
          name: `${masterName}-${i}`,
          extraArgs: [...auth, '--replicaof', '127.0.0.1', String(master.port)],
        }),
      );
    }
    const quorum = Math.floor(sentinelCount / 2) + 1;
    for (let i = 0; i < sentinelCount; i++) {
      sentinels.push(
        await startSentinel({
          masterName,
          masterPort: master.port,
          quorum,
          downAfterMs: opts.downAfterMs ?? 1000,
          failoverTimeoutMs: opts.failoverTimeoutMs ?? 3000,
          index: i,
          password: opts.password,
          sentinelPassword: opts.sentinelPassword,
        }),
      );
    }
    await until('replicas in sync', timeoutMs, async () => {
      const info = await command(master.port, (r) => r.info('replication'), opts.password);
      const online = info.match(/^slave\d+:.*state=online/gm)?.length ?? 0;
      return online >= replicaCount ? true : undefined;
    });
    await until('Sentinels discovering each other and the replicas', timeoutMs, async () => {
      for (const s of sentinels) {
        const [replicas, peers] = await command(
          s.port,
          async (r) => [
            (await r.call('SENTINEL', 'REPLICAS', masterName)) as unknown[],
            (await r.call('SENTINEL', 'SENTINELS', masterName)) as unknown[],
          ],
          opts.sentinelPassword,
        );
        if (replicas.length < replicaCount || peers.length < sentinelCount - 1) return undefined;
      }
      return true;
    });
  } catch (err) {
    await stop();
    throw err;
  }

  const masterPort = async (): Promise<number> => {
    let last: Error | undefined;
    for (const s of sentinels) {
      try {
        const addr = (await command(
          s.port,
          (r) => r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName),
          opts.sentinelPassword,
        )) as [string, string] | null;
        if (addr) return Number(addr[1]);
      } catch (err) {
        last = err as Error;
      }
    }
    throw last ?? new Error(`no Sentinel knows master ${masterName}`);
  };
  const byPort = (port: number) => {
    const node = nodes.find((n) => n.port === port);
    if (!node) throw new Error(`Sentinels name an unknown master on port ${port}`);
    return node;
  };
  return {
    masterName,
    url: `redis+sentinel://${sentinels.map((s) => `127.0.0.1:${s.port}`).join(',')}/${masterName}`,
    nodes,
    sentinels,
    master: async () => byPort(await masterPort()),
    waitForNewMaster: (formerPort, waitMs = 30_000) =>
      until(`a master other than port ${formerPort}`, waitMs, async () => {
        const port = await masterPort();
        if (port === formerPort) return undefined;
        const role = await command(port, (r) => r.call('ROLE') as Promise<unknown[]>, opts.password);
        return role[0] === 'master' ? byPort(port) : undefined;
      }),
    stop,
  };
}

async function startSentinel(o: {
  masterName: string;
  masterPort: number;
  quorum: number;
  downAfterMs: number;
  failoverTimeoutMs: number;
  index: number;
  password?: string;
  sentinelPassword?: string;
}): Promise<SentinelProcess> {
  const { masterName, index } = o;
  for (let attempt = 0; ; attempt++) {
    const port = await freeLocalPort();
    const dir = mkdtempSync(join(tmpdir(), `olt-sentinel-${index}-`));
    // Sentinel rewrites its config file (discovered peers, epochs): it must be a writable file of its own.
    const conf = join(dir, 'sentinel.conf');
    writeFileSync(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        'loglevel warning',
        `sentinel monitor ${masterName} 127.0.0.1 ${o.masterPort} ${o.quorum}`,
        `sentinel down-after-milliseconds ${masterName} ${o.downAfterMs}`,
        `sentinel failover-timeout ${masterName} ${o.failoverTimeoutMs}`,
        `sentinel parallel-syncs ${masterName} 2`,
        ...(o.password ? [`sentinel auth-pass ${masterName} ${o.password}`] : []),
        // Sentinels also use it to authenticate to each other.
        ...(o.sentinelPassword ? [`requirepass ${o.sentinelPassword}`] : []),
        '',
      ].join('\n'),
    );
    let child: ChildProcess;
    try {
      child = await spawnRedisProcess({ args: [conf, '--sentinel'], port, name: `sentinel-${index}` });
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      if (attempt < 3 && /Address already in use/i.test((err as Error).message)) continue;
      throw err;
    }
    let stopping: Promise<void> | undefined;
    return {
      port,
      stop: () => (stopping ??= kill(child).finally(() => rmSync(dir, { recursive: true, force: true }))),
    };
  }
}

export interface RedisClusterOptions {
  /** Primaries (default 3, the smallest cluster redis-cli creates). */
  masters?: number;
  /** Per node (the cache role's: allkeys-lfu with a limit). */
  policy?: string;
  maxmemory?: string;
  /** cluster-node-timeout; default 2000. */
  nodeTimeoutMs?: number;
  startTimeoutMs?: number;
  /** The redis-cli executable; default from PATH. */
  cli?: string;
}

export interface RedisClusterHandle {
  /** `redis+cluster://127.0.0.1:<p1>,…`: what the apps take as redis.cache_url. */
  url: string;
  nodes: RedisServer[];
  stop(): Promise<void>;
}

/**
 * A Redis Cluster of `masters` primaries and no replicas on 127.0.0.1 (`redis-server --cluster-enabled yes`,
 * joined with `redis-cli --cluster create`). Resolves once every node reports cluster_state:ok and knows
 * every other node. Needs redis-cli (Debian redis-tools; gate tests with needsProgram('redis-cli')).
 */
export async function startRedisCluster(opts: RedisClusterOptions = {}): Promise<RedisClusterHandle> {
  const count = opts.masters ?? 3;
  const timeoutMs = opts.startTimeoutMs ?? 30_000;
  const nodes: RedisServer[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
  };
  try {
    for (let i = 0; i < count; i++) {
      nodes.push(
        await startRedisServer({
          policy: opts.policy ?? 'allkeys-lfu',
          maxmemory: opts.maxmemory ?? '64mb',
          name: `cache-cluster-${i}`,
          extraArgs: [
            '--cluster-enabled', 'yes',
            '--cluster-config-file', 'nodes.conf',
            '--cluster-node-timeout', String(opts.nodeTimeoutMs ?? 2000),
          ], // prettier-ignore
        }),
      );
    }
    const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
    await new Promise<void>((resolve, reject) =>
      execFile(
        opts.cli ?? 'redis-cli',
        ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'],
        { timeout: timeoutMs },
        (err, stdout, stderr) =>
          err
            ? reject(new Error(`redis-cli --cluster create failed: ${err.message}\n${stdout}${stderr}`))
            : resolve(),
      ),
    );
    await until('cluster_state:ok on every node', timeoutMs, async () => {
      for (const node of nodes) {
        const info = await command(node.port, (r) => r.cluster('INFO'));
        if (!/cluster_state:ok/.test(info) || !new RegExp(`cluster_known_nodes:${count}\\b`).test(info))
          return undefined;
      }
      return true;
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `redis+cluster://${nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`, nodes, stop };
}
