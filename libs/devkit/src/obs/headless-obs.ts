import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../stack/free-port';

export interface HeadlessObsOptions {
  /** obs-websocket password; '' = no authentication. Default: a fixed test password. */
  password?: string;
  /** Websocket port; default a free one. */
  port?: number;
  /** Reuse this HOME (a restart of the same OBS); default a fresh temporary one. */
  home?: string;
  startTimeoutMs?: number;
}

export interface HeadlessObs {
  url: string;
  port: number;
  password: string;
  home: string;
  pid: number;
  /** SIGINT to the process group (OBS saves and exits), SIGKILL after a timeout. */
  stop(): Promise<void>;
  /** Stops, then removes the temporary HOME (when this helper made it). */
  dispose(): Promise<void>;
}

export const TEST_OBS_PASSWORD = 'olt-test-password';

/**
 * Starts a real OBS Studio (29.x, obs-websocket 5 built in) headless under Xvfb, with its websocket server
 * enabled on a chosen port. Settings live in $HOME/.config/obs-studio/global.ini on OBS 29, so each OBS gets
 * its own HOME: the scene collection persists there, and tests must not see each other's sources.
 */
export async function startHeadlessObs(opts: HeadlessObsOptions = {}): Promise<HeadlessObs> {
  const password = opts.password ?? TEST_OBS_PASSWORD;
  const port = opts.port ?? (await freePort());
  const ownHome = !opts.home;
  const home = opts.home ?? mkdtempSync(join(tmpdir(), 'olt-obs-'));
  writeGlobalIni(home, port, password);

  // detached = setsid: OBS, xvfb-run and Xvfb share one process group that stop() signals as a whole.
  const child = spawn(
    'xvfb-run',
    ['-a', '-s', '-screen 0 1280x720x24', 'obs', '--multi', '--disable-shutdown-check', '--minimize-to-tray'],
    { env: { ...process.env, HOME: home }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const tail: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.on('data', (buf: Buffer) => {
      tail.push(...buf.toString('utf8').split('\n'));
      tail.splice(0, Math.max(0, tail.length - 30));
    });
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  try {
    await waitForPort(port, child, opts.startTimeoutMs ?? 20_000, () => tail.join('\n'));
  } catch (err) {
    await stopGroup(child, exited);
    if (ownHome) rmSync(home, { recursive: true, force: true });
    throw err;
  }

  const stop = () => stopGroup(child, exited);
  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    password,
    home,
    pid: child.pid ?? -1,
    stop,
    dispose: async () => {
      await stop();
      if (ownHome) rmSync(home, { recursive: true, force: true });
    },
  };
}

function writeGlobalIni(home: string, port: number, password: string): void {
  const dir = join(home, '.config', 'obs-studio');
  mkdirSync(dir, { recursive: true });
  const ini = [
    '[General]',
    // Skips the first-run auto-configuration wizard, which would block a headless start.
    'FirstRun=true',
    '',
    '[OBSWebSocket]',
    'FirstLoad=false',
    'ServerEnabled=true',
    `ServerPort=${port}`,
    'AlertsEnabled=false',
    `AuthRequired=${password ? 'true' : 'false'}`,
    `ServerPassword=${password}`,
    '',
  ].join('\n');
  writeFileSync(join(dir, 'global.ini'), ini);
}

async function waitForPort(
  port: number,
  child: ChildProcess,
  timeoutMs: number,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`OBS exited (${child.exitCode ?? child.signalCode}) before listening:\n${output()}`);
    }
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`OBS did not open its websocket port ${port} within ${timeoutMs} ms:\n${output()}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function stopGroup(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // The group is already gone.
    }
  };
  signalGroup('SIGINT');
  const timer = setTimeout(() => signalGroup('SIGKILL'), 8_000);
  await exited;
  clearTimeout(timer);
  // xvfb-run may exit before OBS and Xvfb: make sure nothing of the group is left.
  signalGroup('SIGKILL');
}
