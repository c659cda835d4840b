import { unavailable } from '../errors';
import type { DependencyBreaker } from '../resilience/circuit-breaker';
import { ReconnectBackoff } from './reconnect-backoff';
import { OBS_CLOSE_AUTH_FAILED, errorCode, type ObsLogPort, type ObsSocketPort } from './obs-socket.port';

export type ObsConnectionState = 'connecting' | 'connected' | 'waiting' | 'auth_failed' | 'stopped';

export interface ObsConnectionStatus {
  state: ObsConnectionState;
  url: string;
  /** One line for a person: "connected to OBS at …", "waiting for OBS at …", "auth failed — wrong password". */
  message: string;
  /** Failed attempts since the last success. */
  attempts: number;
  /** Delay before the next attempt (waiting / auth_failed). */
  retryInMs?: number;
  obsWebSocketVersion?: string;
  changedAt: number;
}

export interface ObsConnectionOptions {
  url: string;
  password: string;
  reconnectInitialMs: number;
  reconnectMaxMs: number;
}

export interface ObsConnectionDeps {
  log: ObsLogPort;
  socketFactory: () => ObsSocketPort;
  /** Runs after each successful (re)connect, before the state says connected (re-applies text, …). */
  onConnected?: () => Promise<void>;
  /**
   * Circuit breaker of this output: each request runs under its deadline, and while OBS keeps failing
   * requests fail at once (UNAVAILABLE) instead of piling up; half-open probes find it again.
   */
  breaker?: DependencyBreaker;
}

/**
 * Keeps one obs-websocket connection alive: connects, and after a failure or a close retries with
 * exponential backoff until stop(). The streamer's OBS may start after us, restart, or have a password
 * changed; the status says which, in words, and each change is logged once (not every retry).
 */
export class ObsConnection {
  private socket?: ObsSocketPort;
  private timer?: NodeJS.Timeout;
  private generation = 0;
  private readonly backoff: ReconnectBackoff;
  private current: ObsConnectionStatus;
  private readonly listeners = new Set<(s: ObsConnectionStatus) => void>();

  constructor(
    private readonly opts: ObsConnectionOptions,
    private readonly deps: ObsConnectionDeps,
  ) {
    this.backoff = new ReconnectBackoff(opts.reconnectInitialMs, opts.reconnectMaxMs);
    this.current = {
      state: 'stopped',
      url: opts.url,
      message: `not started (OBS at ${opts.url})`,
      attempts: 0,
      changedAt: Date.now(),
    };
  }

  start(): void {
    if (this.current.state !== 'stopped') return;
    this.setStatus({ state: 'connecting', message: `connecting to OBS at ${this.opts.url}` });
    void this.attempt();
  }

  status(): ObsConnectionStatus {
    return { ...this.current };
  }

  onStatus(listener: (s: ObsConnectionStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get connected(): boolean {
    return this.current.state === 'connected';
  }

  /** Resolves when connected; rejects after timeoutMs with the current status message. */
  whenConnected(timeoutMs: number): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(unavailable(`OBS not connected after ${timeoutMs} ms: ${this.current.message}`));
      }, timeoutMs);
      const off = this.onStatus((s) => {
        if (s.state !== 'connected') return;
        clearTimeout(timer);
        off();
        resolve();
      });
    });
  }

  /** One request on the live connection; UNAVAILABLE (with the status message) while there is none. */
  async call(requestType: string, requestData?: Record<string, unknown>): Promise<Record<string, unknown>> {
    const socket = this.socket;
    // The socket is set once identified (also while onConnected runs, before the state says so).
    if (!socket) throw unavailable(this.current.message);
    const breaker = this.deps.breaker;
    return breaker
      ? breaker.run(() => socket.call(requestType, requestData))
      : socket.call(requestType, requestData);
  }

  async stop(): Promise<void> {
    this.generation++;
    clearTimeout(this.timer);
    const socket = this.socket;
    this.socket = undefined;
    this.setStatus({ state: 'stopped', message: `stopped (OBS at ${this.opts.url})` });
    await socket?.disconnect().catch(() => undefined);
  }

  private async attempt(): Promise<void> {
    const generation = ++this.generation;
    const socket = this.deps.socketFactory();
    try {
      const hello = await socket.connect(this.opts.url, this.opts.password);
      if (generation !== this.generation) {
        await socket.disconnect().catch(() => undefined);
        return;
      }
      this.socket = socket;
      socket.onClose((code, reason) => {
        if (generation !== this.generation) return;
        this.socket = undefined;
        this.retryLater(
          `OBS at ${this.opts.url} closed the connection (${code}${reason ? `: ${reason}` : ''})`,
          code,
        );
      });
      await this.deps.onConnected?.();
      if (generation !== this.generation) return;
      this.backoff.reset();
      this.setStatus({
        state: 'connected',
        message: `connected to OBS at ${this.opts.url} (obs-websocket ${hello.obsWebSocketVersion})`,
        obsWebSocketVersion: hello.obsWebSocketVersion,
      });
    } catch (err) {
      if (generation !== this.generation) return;
      if (this.socket === socket) this.socket = undefined;
      await socket.disconnect().catch(() => undefined);
      this.retryLater(err instanceof Error ? err.message : String(err), errorCode(err));
    }
  }

  private retryLater(reason: string, code: number | undefined): void {
    const retryInMs = this.backoff.next();
    const retry = `retrying in ${(retryInMs / 1000).toFixed(1)} s`;
    if (code === OBS_CLOSE_AUTH_FAILED) {
      const message = this.opts.password
        ? `auth failed — wrong password for OBS at ${this.opts.url} (OBS → Tools → WebSocket Server Settings shows it); ${retry}`
        : `auth failed — OBS at ${this.opts.url} requires a password and none was given; ${retry}`;
      this.setStatus({ state: 'auth_failed', message, retryInMs });
    } else {
      const message = `waiting for OBS at ${this.opts.url} (${reason || 'not reachable'}): is OBS running with its WebSocket server enabled? ${retry}`;
      this.setStatus({ state: 'waiting', message, retryInMs });
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.attempt(), retryInMs);
    this.timer.unref?.();
  }

  private setStatus(next: Omit<ObsConnectionStatus, 'url' | 'attempts' | 'changedAt'>): void {
    const prev = this.current;
    this.current = {
      ...next,
      url: this.opts.url,
      attempts: this.backoff.attempts,
      changedAt: prev.state === next.state ? prev.changedAt : Date.now(),
    };
    if (prev.state !== next.state) {
      const fields = { obs: this.opts.url, state: next.state, attempts: this.current.attempts };
      if (next.state === 'waiting' || next.state === 'auth_failed')
        this.deps.log.warn(fields, `obs: ${next.message}`);
      else this.deps.log.info(fields, `obs: ${next.message}`);
    }
    for (const listener of this.listeners) listener(this.status());
  }
}
