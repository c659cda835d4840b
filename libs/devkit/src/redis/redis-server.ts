import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServerOptions {
  /** maxmemory-policy: 'noeviction' for a queue server, 'allkeys-lfu' for a cache, or any Redis policy. */
  policy: 'noeviction' | 'allkeys-lfu' | string;
  /** e.g. '64mb'; default: no limit. */
  maxmemory?: string;
  /** Shows up in the temp dir name and in errors. */
  name?: string;
  /** How long to wait for PING; default 10 s. */
  startTimeoutMs?: number;
  /** More redis-server arguments, e.g. ['--rename-command', 'CONFIG', ''] to mimic a managed Redis. */
  extraArgs?: string[];
  /** The executable; default "redis-server" from PATH. */
  command?: string;
  /**
   * Persistence as the queue Redis needs it in production: AOF with `appendfsync everysec`, so jobs,
   * segment audio and reply streams survive a restart (restart()). Default: none.
   */
  appendOnly?: boolean;
}

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
  /**
   * Stops the server (SIGTERM: it writes its AOF and exits, as on a pod restart) and starts it again on the
   * same port and data dir; with appendOnly the data is back. Resolves once it answers PING again.
   * `downMs` keeps it stopped that long first (an outage clients must ride through).
   */
  restart(downMs?: number): Promise<void>;
  /** SIGKILL, as a crashed pod or a lost machine: no AOF flush, no goodbye to replicas or clients. */
  crash(): Promise<void>;
}

const MACHINE_REDIS_PORT = 6379;
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Starts a throw-away `redis-server` for tests and local stacks: 127.0.0.1 on a free port (never 6379, the
 * machine's own Redis), no persistence unless appendOnly, its own temp dir. Resolves once it answers PING. The server is killed
 * by stop() and, if a test forgets, when this process exits.
 */
export async function startRedisServer(options: RedisServerOptions): Promise<RedisServer> {
  let lastError: Error | undefined;
  // A free port can be taken between probing it and redis binding it; try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(options, await freeLocalPort());
    } catch (err) {
      lastError = err as Error;
      if (!/Address already in use/i.test(lastError.message)) throw lastError;
    }
  }
  throw lastError;
}

async function startOnce(options: RedisServerOptions, port: number): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), `olt-redis-${(options.name ?? 'test').replace(/[^\w.-]/g, '_')}-`));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  let child: ChildProcess;
  try {
    child = await spawnServer(options, port, dir);
  } catch (err) {
    removeDir();
    throw err;
  }
  let stopping: Promise<void> | undefined;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () => (stopping ??= kill(child).finally(removeDir)),
    crash: () => kill(child, 'SIGKILL'),
    restart: async (downMs = 0) => {
      if (stopping) throw new Error('redis-server was stopped');
      await kill(child);
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      // The port was ours a moment ago; a few tries cover a slow release.
      for (let attempt = 0; ; attempt++) {
        try {
          child = await spawnServer(options, port, dir);
          return;
        } catch (err) {
          if (attempt >= 20 || !/Address already in use/i.test((err as Error).message)) throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
  };
}

async function spawnServer(options: RedisServerOptions, port: number, dir: string): Promise<ChildProcess> {
  const persistence = options.appendOnly
    ? ['--appendonly', 'yes', '--appendfsync', 'everysec']
    : ['--appendonly', 'no'];
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--save', '',
    ...persistence,
    '--dir', dir,
    '--maxmemory-policy', options.policy,
    '--daemonize', 'no',
    '--loglevel', 'warning',
  ]; // prettier-ignore
  if (options.maxmemory) args.push('--maxmemory', options.maxmemory);
  args.push(...(options.extraArgs ?? []));
  return spawnRedisProcess({ ...options, args, port });
}

export interface RedisProcessOptions {
  /** Every argument (a config file first, then --options). */
  args: string[];
  /** Where it answers PING once up. */
  port: number;
  name?: string;
  command?: string;
  startTimeoutMs?: number;
}

/**
 * Spawns a redis-server with exactly these arguments (a Sentinel: `[conf, '--sentinel']`), tracked for the
 * exit hook, and resolves once it answers PING on `port`; a start-up failure carries its last output.
 */
export async function spawnRedisProcess(options: RedisProcessOptions): Promise<ChildProcess> {
  const { args, port } = options;
  const label = options.name ? `redis-server "${options.name}"` : 'redis-server';
  const child = spawn(options.command ?? 'redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  let output = '';
  const collect = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const exited = new Promise<never>((_, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'ENOENT'
          ? new Error(
              `${options.command ?? 'redis-server'} not found on PATH: install redis-server (apt-get install redis-server)`,
            )
          : new Error(`${label} could not start: ${err.message}`),
      );
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`${label} exited during start-up (${signal ?? `code ${code}`}): ${output.trim()}`)),
    );
  });
  exited.catch(() => undefined); // a later exit (stop(), a crash) is not an unhandled rejection

  try {
    const alive = () => child.exitCode === null && child.signalCode === null && child.pid !== undefined;
    const answered = await Promise.race([
      exited,
      waitForPong(port, options.startTimeoutMs ?? 10_000, label, () => output, alive),
    ]);
    if (!answered) await exited; // died: `exited` rejects with the reason
  } catch (err) {
    await kill(child);
    throw err;
  }
  // The pipes must not keep a test process alive; the exit hook still kills the server.
  child.unref();
  for (const stream of [child.stdout, child.stderr]) (stream as unknown as { unref?: () => void })?.unref?.();
  return child;
}

function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const proc of live) proc.kill('SIGKILL');
  });
}

/** SIGTERM, then SIGKILL if the server has not gone within 3 s (or SIGKILL at once). */
export function kill(child: ChildProcess, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill(signal);
  });
}

export function freeLocalPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port && port !== MACHINE_REDIS_PORT ? resolve(port) : resolve(freeLocalPort())));
    });
  });
}

/** Speaks just enough RESP to send PING and read +PONG, so the devkit needs no Redis client. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      // A server with requirepass answers NOAUTH: it is up, which is all this asks.
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG') || reply.startsWith('-NOAUTH'));
    });
  });
}

async function waitForPong(
  port: number,
  timeoutMs: number,
  label: string,
  output: () => string,
  alive: () => boolean,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 10; Date.now() < deadline; delay = Math.min(delay * 2, 200)) {
    if (!alive()) return false; // the exit/error handler knows why
    if (await ping(port)) return true;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  throw new Error(`${label} on port ${port} did not answer PING within ${timeoutMs} ms: ${output().trim()}`);
}
