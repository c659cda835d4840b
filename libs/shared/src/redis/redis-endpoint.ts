import { readFileSync } from 'node:fs';
import type { ClusterOptions, RedisOptions } from 'ioredis';
import { AppError } from '../errors';

/**
 * Where a Redis role lives, parsed from its URL:
 * - `redis://[user:pass@]host:port[/db]` (`rediss://` = TLS): one server, passed to ioredis as is;
 * - `redis+sentinel://[user:pass@]s1:26379,s2:26379/<master-name>[/db]` (`rediss+sentinel://`): a Sentinel
 *   group; the credentials are the data nodes', the Sentinels' own password is a separate config key;
 * - `redis+cluster://[user:pass@]n1:6379,n2:6379` (`rediss+cluster://`): a Redis Cluster, any nodes as seeds.
 * One URL per role keeps the config shape the apps already had; the lists need no new keys.
 */
export type RedisTopology = 'single' | 'sentinel' | 'cluster';

export interface RedisHostPort {
  host: string;
  port: number;
}

export interface RedisEndpoint {
  topology: RedisTopology;
  tls: boolean;
  /** Sentinels (sentinel), seed nodes (cluster); empty for single (ioredis parses `url`). */
  nodes: RedisHostPort[];
  username?: string;
  password?: string;
  /** Sentinel only. */
  masterName?: string;
  db?: number;
  /** The URL as given (single: what ioredis parses). */
  url: string;
}

/** Settings besides the URL: secrets kept out of it, and the CA that signs the servers' certificates. */
export interface RedisEndpointSecrets {
  /** Overrides the URL's password ("" or undefined: the URL's, if any). */
  password?: string;
  /** AUTH for the Sentinels themselves (requirepass in sentinel.conf). */
  sentinelPassword?: string;
  /** PEM CA bundle for rediss:// (default: the system's CAs). */
  tlsCaFile?: string;
}

/** A URL plus the secrets the config keeps beside it: what a connection is made from. */
export interface RedisEndpointConfig extends RedisEndpointSecrets {
  url: string;
}

const SCHEME = /^(rediss?)(?:\+(sentinel|cluster))?:\/\//i;
const MULTI = /^(rediss?)\+(sentinel|cluster):\/\/(?:([^@/]*)@)?([^/?#]+)(?:\/([^?#]*))?$/i;

/** Parses a role URL; throws an AppError (INVALID_ARGUMENT) that says what is wrong, never echoing a password. */
export function parseRedisEndpoint(url: string): RedisEndpoint {
  const scheme = SCHEME.exec(url);
  if (!scheme)
    throw invalid(url, 'must start with redis://, rediss://, redis+sentinel:// or redis+cluster://');
  const tls = scheme[1].toLowerCase() === 'rediss';
  if (!scheme[2]) return { topology: 'single', tls, nodes: [], url };
  const m = MULTI.exec(url);
  if (!m) throw invalid(url, 'expected <scheme>://[user:pass@]host:port[,host:port…][/…] with no query');
  const topology = m[2].toLowerCase() as 'sentinel' | 'cluster';
  const nodes = m[4].split(',').map((part) => hostPort(part, topology === 'sentinel' ? 26379 : 6379, url));
  const path = (m[5] ?? '').split('/').filter(Boolean);
  const endpoint: RedisEndpoint = { topology, tls, nodes, url, ...credentials(m[3]) };
  if (topology === 'sentinel') {
    if (!path[0]) throw invalid(url, 'a Sentinel URL names the master: …/<master-name>');
    endpoint.masterName = decodeURIComponent(path[0]);
    if (path[1] !== undefined) endpoint.db = dbNumber(path[1], url);
    if (path.length > 2) throw invalid(url, 'expected …/<master-name>[/<db>]');
  } else if (path.length > 0) {
    // Redis Cluster has only database 0.
    throw invalid(url, 'a Cluster URL has no path (Redis Cluster has only db 0)');
  }
  return endpoint;
}

function credentials(userinfo: string | undefined): { username?: string; password?: string } {
  if (!userinfo) return {};
  const colon = userinfo.indexOf(':');
  const user = decodeURIComponent(colon < 0 ? userinfo : userinfo.slice(0, colon));
  const pass = colon < 0 ? '' : decodeURIComponent(userinfo.slice(colon + 1));
  // As in redis:// URLs: `:pass@` is a password without a user (the default user).
  return { ...(user ? { username: user } : {}), ...(pass ? { password: pass } : {}) };
}

function hostPort(part: string, defaultPort: number, url: string): RedisHostPort {
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(part.trim());
  const port = m?.[2] ? Number(m[2]) : defaultPort;
  if (!m || port < 1 || port > 65535) throw invalid(url, `"${part}" is not host[:port]`);
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}

function dbNumber(text: string, url: string): number {
  if (!/^\d{1,2}$/.test(text)) throw invalid(url, `database "${text}" is not a number`);
  return Number(text);
}

function invalid(url: string, why: string): AppError {
  return new AppError('INVALID_ARGUMENT', `Redis URL "${redactRedisUrl(url)}" is invalid: ${why}`);
}

/** The URL with any password replaced by "***": what log lines and errors may show. */
export function redactRedisUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, '$1***@');
}

/** Where a client points, for log lines: hosts and master name, never credentials. */
export function describeRedisEndpoint(endpoint: RedisEndpoint): string {
  const list = endpoint.nodes.map((n) => `${n.host}:${n.port}`).join(',');
  if (endpoint.topology === 'sentinel') return `sentinel ${endpoint.masterName}@${list}`;
  if (endpoint.topology === 'cluster') return `cluster ${list}`;
  return redactRedisUrl(endpoint.url).replace(/^[a-z]+:\/\/(?:[^@/]*@)?/i, '');
}

/** What the options builders add on top of the per-role behaviour (timeouts, retries, names). */
export interface BuiltRedisOptions {
  /** Single and sentinel: the ioredis Redis options (for single, merged over what ioredis parses from url). */
  redis: RedisOptions;
  /** Cluster only: seed nodes and Cluster options; `redis` then goes into clusterOptions.redisOptions. */
  cluster?: { nodes: RedisHostPort[]; options: ClusterOptions };
}

/**
 * ioredis options for an endpoint: `base` carries the role's behaviour (retries, timeouts, names), this adds
 * topology, credentials and TLS. `readFile` is injectable for tests.
 */
export function buildRedisOptions(
  endpoint: RedisEndpoint,
  secrets: RedisEndpointSecrets,
  base: RedisOptions,
  readFile: (path: string) => Buffer = (p) => readFileSync(p),
): BuiltRedisOptions {
  const password = secrets.password || endpoint.password;
  const tls = endpoint.tls ? tlsOptions(secrets.tlsCaFile, readFile) : undefined;
  const auth: RedisOptions = {
    ...(endpoint.username ? { username: endpoint.username } : {}),
    ...(password ? { password } : {}),
  };
  if (endpoint.topology === 'single') {
    // The URL keeps host, port, db and user; only what the config holds beside it is added.
    return { redis: { ...base, ...auth, ...(tls ? { tls } : {}) } };
  }
  if (endpoint.topology === 'sentinel') {
    return {
      redis: {
        ...base,
        ...auth,
        sentinels: endpoint.nodes,
        name: endpoint.masterName,
        ...(endpoint.db !== undefined ? { db: endpoint.db } : {}),
        ...(secrets.sentinelPassword ? { sentinelPassword: secrets.sentinelPassword } : {}),
        // One scheme for both hops: a deployment that encrypts the data nodes encrypts the Sentinels too.
        ...(tls ? { tls, sentinelTLS: tls, enableTLSForSentinelMode: true } : {}),
        // Subscribes to +switch-master, so clients move as soon as a failover is announced instead of
        // waiting for the old primary's socket to time out.
        failoverDetector: true,
        sentinelRetryStrategy: (attempt: number) => Math.min(100 * attempt, 2000),
      },
    };
  }
  const redisOptions: RedisOptions = { ...base, ...auth, ...(tls ? { tls } : {}) };
  return {
    redis: redisOptions,
    cluster: {
      nodes: endpoint.nodes,
      options: {
        redisOptions,
        // Keeps the role's patience: a null maxRetriesPerRequest also means "retry redirections as needed".
        maxRedirections: 16,
        retryDelayOnFailover: 200,
        retryDelayOnClusterDown: 300,
        clusterRetryStrategy: (attempt: number) => Math.min(100 * attempt, 2000),
        enableOfflineQueue: true,
        // TLS certificates name the hosts given, not the IPs the nodes announce.
        ...(tls ? { dnsLookup: (address, done) => done(null, address) } : {}),
        slotsRefreshTimeout: 2000,
      },
    },
  };
}

function tlsOptions(caFile: string | undefined, readFile: (path: string) => Buffer): RedisOptions['tls'] {
  if (!caFile) return {};
  try {
    return { ca: readFile(caFile) };
  } catch (err) {
    throw new AppError(
      'FAILED_PRECONDITION',
      `cannot read the Redis TLS CA file ${caFile}: ${(err as Error).message}`,
    );
  }
}
