import type { StreamResponse } from '@olt/shared';

/** The writable half of a gRPC call, as far as the session needs it. */
export interface ResponseSink {
  write(message: StreamResponse): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

/**
 * Writes responses in order and reports whether the client is keeping up. While the transport buffer is
 * full, messages wait here and `congested` is true; the session pauses reading audio meanwhile, so a
 * client that stops reading cannot make the gateway buffer without bound.
 */
export class ResponseWriter {
  private backlog: StreamResponse[] = [];
  private waitingForDrain = false;
  private drainedWaiters: Array<() => void> = [];
  private stallTimer?: NodeJS.Timeout;

  /**
   * `stall`: called when the client has read nothing for `timeoutMs()` while responses wait for it. The
   * session then gives up on the client, so a reader that went away without closing cannot hold a slot.
   */
  constructor(
    private readonly sink: ResponseSink,
    private readonly onCongestionChange: (congested: boolean) => void,
    private readonly stall?: { timeoutMs: () => number; onStalled: (waitedMs: number) => void },
  ) {}

  get congested(): boolean {
    return this.waitingForDrain;
  }

  get pending(): number {
    return this.backlog.length;
  }

  send(message: StreamResponse): void {
    if (this.waitingForDrain) {
      this.backlog.push(message);
      return;
    }
    if (!this.sink.write(message)) this.waitForDrain();
  }

  /** Gives up on whatever waits for the client (the call is being ended): no more writes, waiters released. */
  abandon(): void {
    clearTimeout(this.stallTimer);
    this.backlog = [];
    this.send = () => undefined;
    const waiters = this.drainedWaiters;
    this.drainedWaiters = [];
    for (const w of waiters) w();
  }

  /** Resolves when everything handed to send() has been given to the transport. */
  flushed(): Promise<void> {
    if (!this.waitingForDrain) return Promise.resolve();
    return new Promise((resolve) => this.drainedWaiters.push(resolve));
  }

  private waitForDrain(): void {
    this.waitingForDrain = true;
    this.onCongestionChange(true);
    this.sink.once('drain', () => this.onDrain());
    if (this.stall) {
      const timeoutMs = this.stall.timeoutMs();
      this.stallTimer = setTimeout(() => this.stall!.onStalled(timeoutMs), timeoutMs);
      this.stallTimer.unref();
    }
  }

  private onDrain(): void {
    clearTimeout(this.stallTimer);
    this.waitingForDrain = false;
    while (this.backlog.length) {
      const next = this.backlog.shift()!;
      if (!this.sink.write(next)) {
        this.waitForDrain();
        return;
      }
    }
    this.onCongestionChange(false);
    const waiters = this.drainedWaiters;
    this.drainedWaiters = [];
    for (const w of waiters) w();
  }
}
